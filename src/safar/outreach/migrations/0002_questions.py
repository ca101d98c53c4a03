from django.db import migrations

from safar.outreach.questions import load_questions


class Migration(migrations.Migration):
    """The knowledge check's starting questions, in Tajik, Russian and English."""

    dependencies = [("outreach", "0001_initial"), ("helpdesk", "0002_categories")]

    operations = [migrations.RunPython(load_questions, migrations.RunPython.noop)]
