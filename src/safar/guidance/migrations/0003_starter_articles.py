from django.db import migrations

from safar.guidance.seed import seed_articles


class Migration(migrations.Migration):
    dependencies = [("guidance", "0002_rules_group_contacts")]

    operations = [migrations.RunPython(seed_articles, migrations.RunPython.noop)]
