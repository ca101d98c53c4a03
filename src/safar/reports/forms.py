"""The one validation of report parameters, shared by the page, the API and the CLI."""

from datetime import date

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safar.core.dates import parse_iso_date
from safar.core.fields import IsoDateField
from safar.core.models import BorderPoint, Country
from safar.crossings.models import Sex


def report_days(today: date) -> tuple[date, date]:
    """The first and last day a report period may include: from the earliest crossing the
    registry can hold (SAFAR_EARLIEST_CROSSING, 1 January 1991) to the end of the current year
    (so that "this year" is a valid period; later days hold no crossings).

    Bounding the period keeps a report's cost and its month-by-month chart proportionate, and
    keeps date arithmetic clear of year 1 and year 9999.
    """
    earliest = getattr(settings, "SAFAR_EARLIEST_CROSSING", date(1991, 1, 1))
    if isinstance(earliest, str):
        earliest = parse_iso_date(earliest)
    return earliest, date(today.year, 12, 31)


class CodeField(forms.ChoiceField):
    """A reference code, accepted in any case; unknown codes are named in the error."""

    default_error_messages = {"invalid_choice": _("Unknown code “%(value)s”.")}

    def to_python(self, value):
        return super().to_python(value).strip().upper()


def _border_points():
    return [("", _("all border points"))] + [
        (bp.code, f"{bp.code} · {bp.name}") for bp in BorderPoint.objects.all()
    ]


def _sexes():
    return [("", _("both"))] + [(str(s.value), str(s.label)) for s in Sex]


def _countries():
    return [("", _("all countries"))] + [
        (c.code, f"{c.name} ({c.code})") for c in sorted(Country.objects.all(), key=str)
    ]


FILTER_FIELDS = {
    "border_point": lambda: CodeField(
        label=_("Border point"), required=False, choices=_border_points
    ),
    "sex": lambda: CodeField(label=_("Sex"), required=False, choices=_sexes),
    "country": lambda: CodeField(label=_("Country"), required=False, choices=_countries),
}


class ReportForm(forms.Form):
    """`from` and `to` (ISO dates, inclusive) and the filters the report offers."""

    def __init__(self, report, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.first_day, self.last_day = report_days(timezone.localdate())
        # "from" is a Python keyword, so the fields are added here rather than declared.
        self.fields["from"] = IsoDateField(label=_("From"))
        self.fields["to"] = IsoDateField(label=_("To"))
        for name in ("from", "to"):
            self.fields[name].widget.attrs.update(
                min=self.first_day.isoformat(), max=self.last_day.isoformat()
            )
        if getattr(report, "AS_OF", False):
            # A report of one day (R11): only "as of" is asked; a `from` sent anyway is accepted.
            self.fields["from"].required = False
            self.fields["from"].widget = forms.HiddenInput()
            self.fields["to"].label = _("As of")
        for name in report.FILTERS:
            self.fields[name] = FILTER_FIELDS[name]()

    def clean(self):
        data = super().clean()
        for name in ("from", "to"):
            day = data.get(name)
            if day and not self.first_day <= day <= self.last_day:
                self.add_error(
                    name,
                    _("Enter a date from %(first)s to %(last)s.")
                    % {"first": self.first_day.isoformat(), "last": self.last_day.isoformat()},
                )
        start, end = data.get("from"), data.get("to")
        if start and end and start > end and not getattr(self.report, "AS_OF", False):
            self.add_error("to", _("The end of the period is before its start."))
        return data

    def unexpected(self, keys) -> dict[str, list[str]]:
        """Errors for parameters this report does not take (e.g. `sex` where sex is a column)."""
        return {
            key: [str(_("This report has no such filter."))]
            for key in keys
            if key not in self.fields
        }

    @property
    def period(self) -> tuple[date, date]:
        end = self.cleaned_data["to"]
        return self.cleaned_data.get("from") or end, end

    @property
    def filters(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name]
            for name in self.report.FILTERS
            if self.cleaned_data.get(name)
        }
