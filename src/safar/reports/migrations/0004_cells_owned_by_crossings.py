"""The aggregate cells now belong to the crossings app (crossings 0005 takes the table over and
renames it); here the model only leaves the reports app's state, nothing happens to the data."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_pivot_view"),
        ("crossings", "0005_cells_owned_by_crossings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Cell")],
            database_operations=[],
        ),
    ]
