"""Sensitive fields are withheld from users without the permission that opens them."""

import pytest
from django import forms
from django.contrib.auth.models import Permission

from safar.core.sensitive import drop_hidden_form_fields, hidden_fields, visible_values
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


class Note:
    """A model-like class declaring one sensitive field (the permission is a real one)."""

    SENSITIVE_FIELDS = {"details": "core.view_auditevent"}


class NoteForm(forms.Form):
    summary = forms.CharField()
    details = forms.CharField()


def test_a_user_without_the_permission_gets_the_value_withheld():
    user = make_user("plain", None)
    values = visible_values(Note, {"summary": "called", "details": "counselling"}, user)
    assert values == {"summary": "called", "details": None}


def test_a_user_with_the_permission_sees_the_value():
    user = make_user("counsellor", None)
    user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    assert hidden_fields(Note, user) == set()
    values = visible_values(Note, {"summary": "called", "details": "counselling"}, user)
    assert values["details"] == "counselling"


def test_a_form_loses_the_fields_its_user_may_not_see():
    form = NoteForm()
    drop_hidden_form_fields(form, Note, make_user("plain", None))
    assert list(form.fields) == ["summary"]
