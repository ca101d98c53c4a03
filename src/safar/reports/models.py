"""The reports app's own table: the pivot views analysts save.

The counts the reports read — the aggregate cells — belong to the crossings app, which keeps
them exact on every write (safar.crossings.models.Cell, safar.crossings.cubes); reports only
read them (reports/cellsum.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    # Beside each count, the same period a year earlier and the change.
    compare = models.BooleanField(default=False)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        # The reports app's one permission: reading the standard reports and the pivot (the
        # cells themselves belong to the crossings app). Granted to analysts (see apps.py).
        permissions = [("read_reports", _("Can read the standard reports and the pivot"))]
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
            **({"compare": "on"} if self.compare else {}),
            **self.filters,
        }

    @property
    def query_string(self) -> str:
        from urllib.parse import urlencode

        return urlencode(self.query())
