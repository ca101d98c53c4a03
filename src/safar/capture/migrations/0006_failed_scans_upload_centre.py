import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Scans the worker failed on (`failed`, with the problem), attempts counted on scans and
    uploads, and each upload's centre (filled in 0007, required and unique with the SHA-256 in
    0008: three migrations, so that PostgreSQL never alters a table it updated in the same
    transaction)."""

    dependencies = [
        ("capture", "0005_passport_pages"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="scan",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="upload",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="upload",
            name="centre",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.office",
                verbose_name="border centre",
            ),
        ),
        migrations.AlterField(
            model_name="scan",
            name="status",
            field=models.CharField(
                choices=[
                    ("received", "received"),
                    ("read", "read"),
                    ("needs_review", "needs review"),
                    ("saved", "saved"),
                    ("rejected", "rejected"),
                    ("failed", "failed"),
                ],
                db_index=True,
                default="received",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="scan",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "failed"), _negated=True)
                | models.Q(("problem", ""), _negated=True),
                name="scan_failed_has_problem",
            ),
        ),
    ]
