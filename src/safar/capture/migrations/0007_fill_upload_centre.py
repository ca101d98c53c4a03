from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_centre(apps, schema_editor):
    """Every upload's centre is its batch's."""
    Upload = apps.get_model("capture", "Upload")
    Batch = apps.get_model("capture", "Batch")
    Upload.objects.filter(centre__isnull=True).update(
        centre=Subquery(Batch.objects.filter(pk=OuterRef("batch_id")).values("centre_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("capture", "0006_failed_scans_upload_centre"),
    ]

    operations = [
        migrations.RunPython(fill_centre, migrations.RunPython.noop),
    ]
