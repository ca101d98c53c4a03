import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The stay calculator's answer kept with an entry-ban contact."""

    dependencies = [("helpdesk", "0005_category_articles")]

    operations = [
        migrations.CreateModel(
            name="BanCheckResult",
            fields=[
                (
                    "contact",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="ban_check",
                        serialize=False,
                        to="helpdesk.contact",
                        verbose_name="contact",
                    ),
                ),
                ("as_of", models.DateField(verbose_name="date of the check")),
                ("trips", models.JSONField(default=list, verbose_name="trips to Russia")),
                (
                    "days_in_window",
                    models.PositiveSmallIntegerField(verbose_name="days in Russia in the last 180"),
                ),
                (
                    "overstay_days",
                    models.PositiveIntegerField(verbose_name="days beyond the lawful stay"),
                ),
                (
                    "verdict",
                    models.CharField(
                        choices=[
                            (
                                "ban_on_leaving",
                                "in Russia beyond the lawful stay: leaving brings a ban",
                            ),
                            ("overstay", "in Russia beyond the lawful stay"),
                            ("closed", "entry closed with no known end"),
                            ("banned", "entry banned"),
                            ("may_be_refused", "entry may be refused"),
                            ("within_limit", "in Russia within the lawful stay"),
                            ("no_ban", "no entry ban found"),
                        ],
                        max_length=16,
                        verbose_name="result",
                    ),
                ),
                ("ban_possible", models.BooleanField(verbose_name="entry ban possible")),
                ("ban_until", models.DateField(blank=True, null=True, verbose_name="ban runs out")),
                ("answer", models.JSONField(default=dict, verbose_name="answer")),
            ],
            options={
                "verbose_name": "stay calculation",
                "verbose_name_plural": "stay calculations",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ban_possible", True), ("ban_until__isnull", True), _connector="OR"
                        ),
                        name="helpdesk_bancheck_until_only_with_a_ban",
                    )
                ],
            },
        ),
    ]
