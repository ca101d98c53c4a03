"""The aggregate cells move from the reports app to the crossings app, which writes them.

The table is not re-created: the model enters this app's state on the existing `reports_cell`
table, which is then renamed `crossings_cell` (its indexes and constraints keep their names);
reports 0004 removes the model from the reports app's state only.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crossings", "0004_rules_in_the_database"),
        ("reports", "0003_pivot_view"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Cell",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("cube", models.CharField(max_length=12)),
                        (
                            "grain",
                            models.CharField(
                                choices=[("D", "day"), ("M", "month"), ("Y", "year")], max_length=1
                            ),
                        ),
                        ("period", models.DateField()),
                        ("border_point", models.CharField(default="", max_length=3)),
                        ("sex", models.CharField(default="", max_length=1)),
                        ("country", models.CharField(default="", max_length=3)),
                        ("key", models.CharField(default="", max_length=16)),
                        ("key2", models.CharField(default="", max_length=16)),
                        ("count", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "indexes": [
                            models.Index(
                                fields=[
                                    "cube",
                                    "grain",
                                    "period",
                                    "border_point",
                                    "sex",
                                    "country",
                                    "key",
                                    "key2",
                                    "count",
                                ],
                                name="cell_read",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=(
                                    "cube",
                                    "grain",
                                    "period",
                                    "border_point",
                                    "sex",
                                    "country",
                                    "key",
                                    "key2",
                                ),
                                name="cell_identity_unique",
                            )
                        ],
                        "db_table": "reports_cell",
                    },
                )
            ]
        ),
        migrations.AlterModelTable(name="cell", table=None),
    ]
