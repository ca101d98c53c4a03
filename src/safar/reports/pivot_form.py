"""The pivot's parameters, checked at the boundary: what is counted, rows, columns, period,
filters, and the name under which an analyst saves a view."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from safar.core.fields import IsoDateField

from .columns import LABELS
from .forms import FILTER_FIELDS, report_days
from .pivot import DIMENSIONS, MEASURES, PIVOT_FILTERS, PivotError, comparison_refused, cube_for


def _dimension_choices(blank=None):
    choices = [(name, LABELS[name]) for name in DIMENSIONS]
    return ([("", blank)] if blank else []) + choices


class PivotForm(forms.Form):
    measure = forms.ChoiceField(
        label=_("Count"), choices=[(name, m.label) for name, m in MEASURES.items()]
    )
    rows = forms.ChoiceField(label=_("Rows"), choices=_dimension_choices)
    columns = forms.ChoiceField(
        label=_("Columns"), required=False, choices=lambda: _dimension_choices(_("none"))
    )
    compare = forms.BooleanField(
        label=_("Compare with the same period a year earlier"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so the period fields are added here (as in ReportForm).
        self.first_day, self.last_day = report_days(timezone.localdate())
        for name, label in (("from", _("From")), ("to", _("To"))):
            self.fields[name] = IsoDateField(label=label)
            self.fields[name].widget.attrs.update(
                min=self.first_day.isoformat(), max=self.last_day.isoformat()
            )
        for name in PIVOT_FILTERS:
            self.fields[name] = FILTER_FIELDS[name]()
        if self.data.get("measure", "crossings") == "crossings":
            # In the flow cube a crossing's country is the traveller's citizenship.
            self.fields["country"].label = LABELS["citizenship"]

    def clean(self):
        data = super().clean()
        for name in ("from", "to"):
            day = data.get(name)
            if day and not self.first_day <= day <= self.last_day:
                # The same bounds as the standard reports (see forms.report_days).
                self.add_error(
                    name,
                    _("Enter a date from %(first)s to %(last)s.")
                    % {"first": self.first_day.isoformat(), "last": self.last_day.isoformat()},
                )
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end of the period is before its start."))
        measure_name, rows, columns = data.get("measure"), data.get("rows"), data.get("columns")
        if not (measure_name and rows):
            return data
        if rows == columns:
            self.add_error("columns", _("Choose a dimension other than the rows'."))
            return data
        measure = MEASURES[measure_name]
        for field in ("rows", "columns"):
            dim = data.get(field)
            if dim and dim not in measure.dimensions:
                self.add_error(
                    field,
                    format_lazy(
                        _("“{dimension}” is not counted for “{measure}”; choose among: {offer}."),
                        dimension=LABELS[dim],
                        measure=measure.label,
                        offer=", ".join(str(LABELS[d]) for d in measure.dimensions),
                    ),
                )
        if self.errors:
            return data
        try:
            cube_for(measure, [d for d in (rows, columns) if d])
        except PivotError:
            self.add_error(
                "columns",
                _("Purpose, age group and region are counted separately: choose one of them."),
            )
        return data

    @property
    def comparison_refused(self):
        """Why this choice cannot be compared with a year earlier (None when it can)."""
        _measure, rows, columns = self.choice
        return comparison_refused(rows, columns, *self.period)

    @property
    def compared(self) -> bool:
        """Whether the analyst asked for the year-earlier comparison and this choice allows it."""
        return bool(self.cleaned_data.get("compare")) and self.comparison_refused is None

    @property
    def period(self) -> tuple[date, date]:
        return self.cleaned_data["from"], self.cleaned_data["to"]

    @property
    def filters(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in PIVOT_FILTERS if self.cleaned_data[name]}

    @property
    def choice(self) -> tuple[str, str, str | None]:
        """(measure, rows, columns or None)."""
        data = self.cleaned_data
        return data["measure"], data["rows"], data["columns"] or None


class SaveViewForm(forms.Form):
    name = forms.CharField(label=_("Save this view as"), max_length=80, strip=True)
