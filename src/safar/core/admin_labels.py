"""Accessible names for the inputs the Django admin draws without a <label>.

The editable cells of a change list (`list_editable`) and the rows of a tabular inline are inputs
in table cells: the column heading names them for a sighted user, but a screen reader announces
only "edit text". Mixing `LabelledInputsMixin` into a ModelAdmin or an InlineModelAdmin gives each
such input an aria-label: the field's label and the row's object ("Phone: Embassy in Moscow").
"""

from __future__ import annotations

from django import forms


def labelled(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """A subclass of `form_class` whose inputs carry the field's label and the row as their
    accessible name."""

    class LabelledForm(form_class):  # type: ignore[valid-type, misc]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            instance = getattr(self, "instance", None)
            row = str(instance) if instance is not None and instance.pk else ""
            for field in self.fields.values():
                name = str(field.label or "")
                if name:
                    field.widget.attrs["aria-label"] = f"{name}: {row}" if row else name

    LabelledForm.__name__ = LabelledForm.__qualname__ = form_class.__name__
    return LabelledForm


class LabelledInputsMixin:
    """For a ModelAdmin (its change list's editable cells) or an InlineModelAdmin (its rows)."""

    def get_changelist_form(self, request, **kwargs):
        return labelled(super().get_changelist_form(request, **kwargs))  # type: ignore[misc]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.form = labelled(formset.form)
        return formset
