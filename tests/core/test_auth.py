"""Login: throttled by django-axes, passwords stored hashed, everything behind a login."""

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from tests.conftest import make_user

PASSWORD = "pw-Safar-2026"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher costs about a second per check here; the hashing test puts it back.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clerk(db):
    return make_user("clerk", "ICC-DU", "operator", password=PASSWORD)


def login(client, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7"
    )


def test_the_right_password_logs_in(client, clerk):
    response = login(client, "clerk", PASSWORD)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(clerk.pk)


def test_a_wrong_password_is_refused_with_the_form_again(client, clerk):
    response = login(client, "clerk", "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_the_sixth_attempt_after_five_wrong_passwords_is_refused_even_with_the_right_one(
    client, clerk
):
    statuses = [login(client, "clerk", "wrong").status_code for _ in range(5)]
    # The fifth failure reaches the limit and is answered with the lockout page already.
    assert statuses == [200, 200, 200, 200, 429]
    response = login(client, "clerk", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "registration/locked_out.html" in [t.name for t in response.templates]


def test_passwords_are_stored_hashed_never_in_clear(db, settings):
    from django.conf import global_settings

    from safar import settings as project_settings

    # The project keeps Django's default hashers (PBKDF2 first); use them for real here.
    assert not hasattr(project_settings, "PASSWORD_HASHERS")
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    clerk = make_user("hashed-clerk", "ICC-DU", "operator", password=PASSWORD)
    clerk.refresh_from_db()
    assert PASSWORD not in clerk.password
    assert identify_hasher(clerk.password).algorithm == "pbkdf2_sha256"
    assert clerk.check_password(PASSWORD) and not clerk.check_password("wrong")


@pytest.mark.parametrize("name", ["home", "crossings:search", "crossings:enter"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_logout_is_a_post_and_ends_the_session(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
