"""Forms: the article editor and the guided stay calculator.

The calculator's forms only read the fields; the case as a whole is validated by
bancheck.parse_case (the same checks as the API and the CLI), and its problems are put back next
to the field they name.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .bancheck import InvalidCase, parse_case
from .models import Article

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ArticleForm(forms.ModelForm):
    note = forms.CharField(
        label=_("What changed (for the history)"), max_length=300, required=False
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [name for name in Article.CONTENT_FIELDS]
        widgets = {
            "last_checked_on": DATE_WIDGET,
            # "wide": the texts take the page's whole width (guidance/editor.css).
            **{
                f"summary_{lang}": forms.Textarea(attrs={"rows": 3, "class": "wide"})
                for lang in ("tg", "ru", "en")
            },
            **{
                f"body_{lang}": forms.Textarea(attrs={"rows": 18, "class": "wide"})
                for lang in ("tg", "ru", "en")
            },
            **{
                f"sources_{lang}": forms.Textarea(attrs={"rows": 4, "class": "wide"})
                for lang in ("tg", "ru", "en")
            },
            **{
                f"title_{lang}": forms.TextInput(attrs={"class": "wide"})
                for lang in ("tg", "ru", "en")
            },
        }


class CaseForm(forms.Form):
    as_of = forms.DateField(label=_("Date of the check"), widget=DATE_WIDGET)


class StayForm(forms.Form):
    entry = forms.DateField(label=_("Entered Russia on"), widget=DATE_WIDGET)
    exit = forms.DateField(
        label=_("Left Russia on"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Leave empty if still in Russia."),
    )


class PermitForm(forms.Form):
    KINDS = [
        ("patent", _("Patent")),
        ("work_permit", _("Work permit")),
        ("temporary_residence", _("Temporary residence permit")),
        ("residence_permit", _("Residence permit")),
        ("study", _("Study")),
        ("other", _("Other ground to stay")),
    ]
    kind = forms.ChoiceField(label=_("Document"), choices=KINDS)
    start = forms.DateField(label=_("Valid from"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("Valid until"), widget=DATE_WIDGET)

    def has_changed(self):
        # The kind has a default; a row with no dates is an untouched row.
        return any(self[name].data for name in ("start", "end"))


class OffenceForm(forms.Form):
    KINDS = [
        ("migration", _("Migration rules (registration, stay)")),
        ("public_order", _("Public order")),
        ("traffic", _("Traffic")),
        ("other", _("Other")),
    ]
    decided_on = forms.DateField(label=_("Decision of"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(label=_("Kind of offence"), choices=KINDS)

    def has_changed(self):
        return bool(self["decided_on"].data)


class RemovalForm(forms.Form):
    KINDS = [
        ("expulsion", _("Administrative expulsion")),
        ("deportation", _("Deportation")),
        ("readmission", _("Readmission")),
    ]
    on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    kind = forms.ChoiceField(label=_("Kind of removal"), choices=KINDS)

    def has_changed(self):
        return bool(self["on"].data)


class ConvictionForm(forms.Form):
    on = forms.DateField(label=_("Sentence of"), widget=DATE_WIDGET)
    expunged_on = forms.DateField(
        label=_("Expunged on"),
        widget=DATE_WIDGET,
        required=False,
        help_text=_("Leave empty if not known."),
    )


# (prefix in the form, key in the JSON, form class, {JSON field: form field})
GROUPS = [
    ("stays", StayForm, {"entry": "entry", "exit": "exit"}),
    ("permits", PermitForm, {"kind": "kind", "from": "start", "to": "end"}),
    ("offences", OffenceForm, {"decided_on": "decided_on", "kind": "kind"}),
    ("removals", RemovalForm, {"on": "on", "kind": "kind"}),
    ("convictions", ConvictionForm, {"on": "on", "expunged_on": "expunged_on"}),
]
FORMSETS = {
    prefix: forms.formset_factory(form, extra=1, max_num=50, absolute_max=60)
    for prefix, form, _fields in GROUPS
}

# Messages for the problems parse_case reports, by code.
PROBLEM_MESSAGES = {
    "required": _("This field is required."),
    "invalid_date": _("Enter a real date."),
    "out_of_range": _("This date is too far in the past or the future."),
    "invalid_choice": _("Choose one of the options."),
    "after_as_of": _("This date is after the date of the check."),
    "before_start": _("This date is before the start date."),
    "open_not_last": _("Only the latest stay may be left without an exit date."),
    "overlap": _("This stay starts before the previous stay ended."),
}


class Calculator:
    """The whole guided form: the date of the check and one formset per kind of fact."""

    def __init__(self, data=None, *, today):
        self.today = today
        self.case_form = CaseForm(data, initial={"as_of": today})
        self.formsets = {
            prefix: FORMSETS[prefix](data, prefix=prefix) for prefix, _form, _fields in GROUPS
        }
        self.case = None

    @classmethod
    def with_row_added(cls, data, group: str, *, today) -> "Calculator":
        """The form as typed, with one more empty row in `group` (the no-JS "add another")."""
        data = data.copy()
        if group in FORMSETS:
            key = f"{group}-TOTAL_FORMS"
            try:
                count = int(data.get(key, 1))
            except ValueError:
                count = 1
            data[key] = str(min(count + 1, 50))
        return cls(data, today=today)

    def groups(self):
        return [(prefix, self.formsets[prefix]) for prefix, _form, _fields in GROUPS]

    def is_valid(self) -> bool:
        valid = self.case_form.is_valid()
        valid = all([fs.is_valid() for fs in self.formsets.values()]) and valid
        if not valid:
            return False
        data, where = self._as_json()
        try:
            self.case = parse_case(data, today=self.today)
        except InvalidCase as invalid:
            for problem in invalid.problems:
                self._attach(problem, where)
            return False
        return True

    def _as_json(self):
        """The filled rows as input JSON, and for each JSON row the form it came from."""
        data = {"as_of": self.case_form.cleaned_data["as_of"].isoformat()}
        where = {}
        for prefix, _form, fields in GROUPS:
            rows, forms_used = [], []
            for form in self.formsets[prefix].forms:
                if not form.has_changed() or not form.cleaned_data:
                    continue
                row = {}
                for key, name in fields.items():
                    value = form.cleaned_data.get(name)
                    row[key] = value.isoformat() if hasattr(value, "isoformat") else value
                rows.append(row)
                forms_used.append(form)
            data[prefix] = rows
            where[prefix] = (forms_used, fields)
        return data, where

    def _attach(self, problem, where) -> None:
        message = PROBLEM_MESSAGES.get(problem.code, problem.message)
        group, _sep, rest = problem.path.partition("[")
        if group not in where or not rest:
            self.case_form.add_error(None, message)
            return
        index, _sep, field = rest.partition("].")
        forms_used, fields = where[group]
        form = forms_used[int(index)]
        form.add_error(fields.get(field), message)
