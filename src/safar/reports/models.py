"""Pre-aggregated counts ("cubes") that make every report answer in milliseconds.

Each cell counts crossings (or, for the `abroad` cube, +1/-1 events) that share one period and
one value of each dimension. Cells are kept at three grains, so that any period is read as
whole years + whole months + single days (see safar.reports.cubes). The writers keep cells up to
date in the same transaction as the crossings they count; `safar rebuild-aggregates` recomputes
them from scratch, and the tests prove both ways agree.
"""

from django.db import models


class Grain(models.TextChoices):
    DAY = "D", "day"
    MONTH = "M", "month"
    YEAR = "Y", "year"


class Cell(models.Model):
    cube = models.CharField(max_length=12)
    grain = models.CharField(max_length=1, choices=Grain.choices)
    # The day, or the first day of the month or year, that the cell covers.
    period = models.DateField()
    # Dimensions; '' where a cube does not use one. Their meaning per cube is in cubes.py.
    border_point = models.CharField(max_length=3, default="")
    sex = models.CharField(max_length=1, default="")
    country = models.CharField(max_length=3, default="")
    key = models.CharField(max_length=16, default="")
    key2 = models.CharField(max_length=16, default="")
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cube", "grain", "period", "border_point", "sex", "country", "key", "key2"],
                name="cell_identity_unique",
            ),
        ]
        indexes = [
            # The reports' read path (reports/cellsum.py): a range on (cube, grain, period) with
            # every dimension and the count in the index itself, so reading never visits the
            # table (SQLite has no INCLUDE; on PostgreSQL this allows index-only scans).
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
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cube}/{self.grain}/{self.period}: {self.count}"
