"""The hand-entry form for migration cards (the fallback when a scan is unreadable) and search.

Codes are typed, not picked: border point, country, purpose and region codes go straight into text
inputs, with <datalist> suggestions that show names in the active language. Dates accept
YYYY-MM-DD, DD.MM.YYYY and DDMMYYYY whatever the interface language.
"""

import re

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from safar.core.models import BorderPoint, Country, District, Purpose, Region

from . import rules
from .access import border_points_for_user
from .models import CITIZEN_COUNTRY, Crossing, Direction, Sex

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d%m%Y"]
BLANK = [("", "—")]

# The order of the fields on the paper card, which is the order an operator reads them in.
CARD_ORDER = (
    "card_number",
    "direction",
    "crossed_on",
    "border_point",
    "surname",
    "given_names",
    "sex",
    "birth_date",
    "citizenship",
    "passport_number",
    "purpose",
    "country",
    "region",
    "district",
)
CODE_FIELDS = ("border_point", "citizenship", "purpose", "country", "region", "district")


class CodeField(forms.ModelChoiceField):
    """A reference-data code typed into a text box (with a datalist), checked against the table.

    `case` says how a typed code is normalised before the lookup: the tables keep border points,
    countries and regions upper-case, purposes lower-case.
    """

    default_error_messages = {"invalid_choice": _("Unknown code “%(value)s”.")}

    def __init__(self, queryset, *, case: str = "upper", **kwargs):
        self.case = case
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "class": f"code {case}"}
            ),
        )
        super().__init__(queryset, to_field_name="pk", **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            value = value.upper() if self.case == "upper" else value.lower()
        return super().to_python(value)

    def prepare_value(self, value):
        if hasattr(value, "pk"):
            return value.pk
        return value


class CrossingForm(forms.Form):
    """One migration card. `user` limits the border points; `instance` is the record corrected."""

    # Longer than a stored number: spaces and dashes typed in are dropped before the rules count.
    card_number = forms.CharField(label=_("card number"), max_length=32)
    # A blank first choice: a skipped field must be an error, never a silent default.
    direction = forms.ChoiceField(label=_("direction"), choices=BLANK + Direction.choices)
    crossed_on = forms.DateField(label=_("date of crossing"), input_formats=DATE_INPUT_FORMATS)
    border_point = CodeField(BorderPoint.objects.all(), label=_("border point"))
    surname = forms.CharField(label=_("surname"), max_length=100, required=False)
    given_names = forms.CharField(label=_("given names"), max_length=100, required=False)
    sex = forms.ChoiceField(label=_("sex"), choices=BLANK + Sex.choices)
    birth_date = forms.DateField(label=_("date of birth"), input_formats=DATE_INPUT_FORMATS)
    citizenship = CodeField(Country.objects.all(), label=_("citizenship"))
    passport_number = forms.CharField(label=_("passport number"), max_length=32)
    purpose = CodeField(Purpose.objects.all(), label=_("purpose of travel"), case="lower")
    country = CodeField(
        Country.objects.all(),
        label=_("country"),
        help_text=_("Destination for an exit, country of departure for an entry."),
    )
    region = CodeField(
        Region.objects.all(),
        label=_("region of residence"),
        required=False,
        help_text=_("Citizens of Tajikistan only."),
    )
    district = CodeField(
        District.objects.all(),
        label=_("district of residence"),
        required=False,
        help_text=_("Citizens of Tajikistan only."),
    )

    # The own centre's record holding the card number typed, when it is a duplicate (linked
    # beside the error).
    duplicate_of: Crossing | None = None

    def __init__(self, *args, user, instance: Crossing | None = None, **kwargs):
        self.user = user
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_from_crossing(instance)
        super().__init__(*args, **kwargs)
        self.allowed_border_points = border_points_for_user(user)
        for name in ("crossed_on", "birth_date"):
            self.fields[name].widget = forms.TextInput(
                attrs={
                    "placeholder": _("YYYY-MM-DD"),
                    "autocomplete": "off",
                    "inputmode": "numeric",
                    "class": "date",
                }
            )
        self.fields["card_number"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "off", "class": "code upper"}
        )
        self.fields["passport_number"].widget.attrs.update(
            {"autocomplete": "off", "class": "code upper"}
        )
        for name in CODE_FIELDS:
            self.fields[name].widget.attrs["list"] = f"codes-{name}"
        if instance is not None:
            # The version the correction starts from, sent back to refuse a stale save.
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=1, initial=instance.version
            )

    def add_error(self, field, error):
        super().add_error(field, error)
        self.focus_first_error()

    def focus_first_error(self) -> None:
        """After an error the cursor starts in the first wrong field, in the card's order (not
        in the card number, where a fresh form starts)."""
        erring = [name for name in CARD_ORDER if name in (self._errors or {})]
        if not erring:
            return
        for name, field in self.fields.items():
            if name == erring[0]:
                field.widget.attrs["autofocus"] = True
            else:
                field.widget.attrs.pop("autofocus", None)

    # -- single fields ---------------------------------------------------------------------------

    def clean_card_number(self):
        number = rules.normalise_card_number(self.cleaned_data["card_number"])
        refusal = rules.card_number_refusal(number)
        if refusal is not None:
            raise forms.ValidationError(refusal.message, code=refusal.code, params=refusal.params)
        holder = Crossing.objects.filter(card_number=number)
        if self.instance is not None:
            holder = holder.exclude(pk=self.instance.pk)
        holder = holder.first()
        if holder is None:
            return number
        if not Crossing.objects.visible_to(self.user).filter(pk=holder.pk).exists():
            # Another centre's record: that the number is taken, nothing about the record.
            raise forms.ValidationError(
                _("Card number %(number)s is already recorded by another centre."),
                code="duplicate",
                params={"number": number},
            )
        # The operator's own centre: say which record holds it, and link it (they may open it).
        self.duplicate_of = holder
        raise forms.ValidationError(
            _(
                "Card number %(number)s is already recorded: record #%(id)s, %(date)s, "
                "border point %(point)s."
            ),
            code="duplicate",
            params={
                "number": number,
                "id": holder.pk,
                "point": holder.border_point_id,
                "date": date_format(holder.crossed_on, "SHORT_DATE_FORMAT"),
            },
        )

    def clean_passport_number(self):
        return rules.normalise_passport_number(self.cleaned_data["passport_number"])

    def clean_surname(self):
        return rules.normalise_name(self.cleaned_data["surname"])

    def clean_given_names(self):
        return rules.normalise_name(self.cleaned_data["given_names"])

    def clean_border_point(self):
        point = self.cleaned_data["border_point"]
        if not self.allowed_border_points.filter(pk=point.pk).exists():
            raise forms.ValidationError(
                _("You may only enter cards for the border points of your centre."),
                code="other_centre",
            )
        return point

    # -- rules across fields ---------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        citizenship, district = data.get("citizenship"), data.get("district")
        if (
            district is not None
            and data.get("region") is None
            and citizenship is not None
            and citizenship.pk == CITIZEN_COUNTRY
        ):
            # The district names its region; saving the operator a field.
            data["region"] = district.region
        values = {name: value.pk if hasattr(value, "pk") else value for name, value in data.items()}
        refused = rules.refusals(
            values,
            today=timezone.localdate(),
            earliest=rules.earliest_crossing(),
            district_region=district.region_id if district is not None else None,
        )
        for name, refusal in refused.items():
            if name not in self.errors:
                self.add_error(
                    name,
                    forms.ValidationError(
                        refusal.message, code=refusal.code, params=refusal.params
                    ),
                )
        return data

    def service_data(self) -> dict:
        """The clean values in the shape the crossing services take (codes, not objects)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for name in CODE_FIELDS:
            value = data.get(name)
            data[name] = value.pk if value is not None else None
        return data

    def datalists(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Suggestions for the code inputs: (datalist id, [(code, name in the active language)])."""
        districts = District.objects.select_related("region")
        return [
            ("codes-border_point", [(p.pk, p.name) for p in self.allowed_border_points]),
            ("codes-citizenship", country_options()),
            ("codes-purpose", [(p.pk, p.name) for p in Purpose.objects.all()]),
            ("codes-country", country_options()),
            ("codes-region", [(r.pk, r.name) for r in Region.objects.all()]),
            ("codes-district", [(d.pk, f"{d.name} · {d.region.name}") for d in districts]),
        ]


def country_options() -> list[tuple[str, str]]:
    return sorted(((c.pk, c.name) for c in Country.objects.all()), key=lambda item: item[1])


def initial_from_crossing(crossing: Crossing) -> dict:
    """The form's initial values for correcting a stored record."""
    traveller = crossing.traveller
    return {
        "card_number": crossing.card_number,
        "direction": crossing.direction,
        "crossed_on": crossing.crossed_on.isoformat(),
        "border_point": crossing.border_point_id,
        "surname": crossing.surname,
        "given_names": crossing.given_names,
        "sex": crossing.sex,
        "birth_date": traveller.birth_date.isoformat(),
        "citizenship": traveller.citizenship_id,
        "passport_number": traveller.passport_number,
        "purpose": crossing.purpose_id,
        "country": crossing.country_id,
        "region": crossing.region_id,
        "district": crossing.district_id,
    }


class SearchForm(forms.Form):
    """One box: a card number, a passport number or a name (surname and/or given names)."""

    q = forms.CharField(
        label=_("Card number, passport number or name"), max_length=100, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"autofocus": True, "autocomplete": "off", "type": "search"}
        )

    def filter(self, queryset):
        """The crossings matching the query: card number or passport number exactly, or every
        word of a name found in the surname or the given names, whatever the letter case."""
        text = self.cleaned_data.get("q", "").strip()
        if not text:
            return queryset.none()
        condition = Q(card_number=rules.normalise_card_number(text)) | Q(
            traveller__passport_number=rules.normalise_passport_number(text)
        )
        words = text.split()
        if all(len(word) >= 2 for word in words):
            by_name = Q()
            for word in words:
                pattern = caseless_pattern(word)
                by_name &= Q(surname__regex=pattern) | Q(given_names__regex=pattern)
            condition |= by_name
        return queryset.filter(condition)


def caseless_pattern(word: str) -> str:
    """A regular expression matching `word` in any letter case: "ив" → "[иИ][вВ]".

    Spelled out letter by letter because SQLite's LIKE and UPPER() fold ASCII only and a
    PostgreSQL database in the C locale does the same; explicit classes work on both, in
    Cyrillic and Latin alike.
    """
    parts = []
    for char in word:
        lower, upper = char.lower(), char.upper()
        if len(lower) == 1 and len(upper) == 1 and lower != upper:
            parts.append(f"[{lower}{upper}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)
