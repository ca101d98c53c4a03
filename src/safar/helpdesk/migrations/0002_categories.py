from django.db import migrations

from safar.helpdesk.categories import load_categories


class Migration(migrations.Migration):
    """The starting taxonomy of contact categories, in Tajik, Russian and English."""

    dependencies = [("helpdesk", "0001_initial")]

    operations = [migrations.RunPython(load_categories, migrations.RunPython.noop)]
