"""The administrators' form for registering a station on the web."""

from django import forms
from django.utils.translation import gettext_lazy as _

from safar.core.models import Office

from .models import Station


class StationForm(forms.Form):
    name = forms.CharField(
        label=_("Station name"),
        max_length=Station._meta.get_field("name").max_length,
        help_text=_("Short and unique, e.g. DYU-2 for the second PC at Dushanbe airport."),
    )
    centre = forms.ModelChoiceField(
        label=_("Border centre"),
        queryset=Office.objects.filter(kind=Office.Kind.BORDER_CENTRE).order_by("code"),
    )

    duplicate_message = _("A station with this name is already registered.")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Station.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(self.duplicate_message, code="duplicate")
        return name
