"""Russia's Tajik name as the glossary has it (docs/glossary.md): "Федератсияи Россия", as the
legal sources and articles write it, not "Федератсияи Русия". New databases get it from
countries.csv; this updates databases migrated before."""

from django.db import migrations


def rename(apps, schema_editor):
    apps.get_model("core", "Country").objects.filter(code="RUS").update(
        name_tg="Федератсияи Россия"
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0006_api_token_expiry")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
