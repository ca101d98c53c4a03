"""The admin site carries Safar's name, turns away signed-in non-staff users with the 403
page, and 403s are logged in one line without a traceback."""

import logging

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from safar.core.models import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "header", "title"),
    [
        ("tg", "Маъмурияти Сафар", "Сафар"),
        ("ru", "Сафар — администрирование", "Сафар"),
        ("en", "Safar administration", "Safar"),
    ],
)
def test_the_admin_carries_safars_name_in_each_language(language, header, title):
    with translation.override(language):
        assert str(admin.site.site_header) == header
        assert str(admin.site.site_title) == title
        assert "Django" not in str(admin.site.index_title)


def test_the_admin_index_page_shows_safars_name(client, administrator):
    administrator.is_staff = True
    administrator.save()
    client.force_login(administrator)
    with translation.override("en"):
        response = client.get(reverse("admin:index"), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert b"Safar administration" in response.content
    assert b"Django administration" not in response.content


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/core/office/"])
def test_an_operator_who_opens_the_admin_gets_access_denied_not_a_second_login(client, path):
    operator = make_user("operator-du", "ICC-DU", Role.OPERATOR)
    client.force_login(operator)
    response = client.get(path)
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]


def test_an_anonymous_visitor_of_the_admin_still_gets_its_login_page(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("admin:login")).status_code == 200


def test_a_403_is_logged_as_one_line_without_a_traceback(client, caplog):
    operator = make_user("operator-du", "ICC-DU", Role.OPERATOR)
    client.force_login(operator)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("reports:index")).status_code == 403
    forbidden = [r for r in caplog.records if getattr(r, "status_code", None) == 403]
    assert len(forbidden) == 1
    record = forbidden[0]
    assert record.exc_info is None
    assert "Traceback" not in logging.Formatter().format(record)
    assert record.getMessage() == "Forbidden (Permission denied): /reports/"
