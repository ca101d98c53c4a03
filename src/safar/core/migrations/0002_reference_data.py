from django.db import migrations

from safar.core.reference_data import load_reference


def forwards(apps, schema_editor):
    load_reference(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
