import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("capture", "0007_fill_upload_centre"),
    ]

    operations = [
        migrations.AlterField(
            model_name="upload",
            name="centre",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.office",
                verbose_name="border centre",
            ),
        ),
        migrations.AlterField(
            model_name="upload",
            name="sha256",
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name="upload",
            constraint=models.UniqueConstraint(
                fields=("sha256", "centre"), name="upload_sha256_centre"
            ),
        ),
    ]
