"""Pre-aggregated counts ("cubes") that make every report answer in milliseconds.

Each cell counts crossings (or, for the `abroad` cube, +1/-1 events) that share one period and
one value of each dimension. Cells are kept at three grains, so that any period is read as
whole years + whole months + single days (see safar.reports.cubes). The writers keep cells up to
date in the same transaction as the crossings they count; `safar rebuild-aggregates` recomputes
them from scratch, and the tests prove both ways agree.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class PivotView(models.Model):
    """A pivot an analyst saved under a name: what is counted, rows, columns, period, filters.

    Scoped to its owner: the pivot page lists, opens and deletes only the owner's views.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pivot_views"
    )
    name = models.CharField(_("name"), max_length=80)
    measure = models.CharField(max_length=16)
    rows = models.CharField(max_length=16)
    columns = models.CharField(max_length=16, blank=True, default="")
    date_from = models.DateField()
    date_to = models.DateField()
    # {"border_point": "DYU", "sex": "F", "country": "RUS"}: only the filters given.
    filters = models.JSONField(default=dict, blank=True)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="pivot_view_name_per_owner"),
            models.CheckConstraint(
                condition=~models.Q(rows=models.F("columns")), name="pivot_view_rows_not_columns"
            ),
            models.CheckConstraint(
                condition=models.Q(date_from__lte=models.F("date_to")),
                name="pivot_view_period_in_order",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="pivot_view_named"),
        ]

    def __str__(self) -> str:
        return self.name

    def query(self) -> dict[str, str]:
        """The pivot page's query string parameters that reopen this view."""
        return {
            "measure": self.measure,
            "rows": self.rows,
            "columns": self.columns,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            **self.filters,
        }

    @property
    def query_string(self) -> str:
        from urllib.parse import urlencode

        return urlencode(self.query())
