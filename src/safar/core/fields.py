"""Form fields shared by the apps."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from .dates import parse_iso_date


class IsoDateField(forms.DateField):
    """A form field taking exactly YYYY-MM-DD (the value of an `<input type="date">`)."""

    default_error_messages = {"invalid": _("Enter a date as YYYY-MM-DD.")}

    def strptime(self, value: str, format: str) -> date:
        # DateField tries each input format through strptime; ours is the strict parser.
        return parse_iso_date(value.strip())

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["YYYY-MM-DD"])
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)
