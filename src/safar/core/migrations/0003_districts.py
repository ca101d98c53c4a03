from django.db import migrations

from safar.core.reference_data import load_districts


def forwards(apps, schema_editor):
    load_districts(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_reference_data")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
