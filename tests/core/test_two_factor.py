"""Two-step sign-in: administrators enrol an authenticator at their first sign-in, then type a
code (or a recovery code, once) at every sign-in; other roles sign in with a password alone.

The world: an administrator and an operator at Dushanbe, signing in through the real login
form with Django's plain test client (not the suite's client, whose force_login skips the step).
"""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safar.core.models import AuditEvent, Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Safar-2026"


@pytest.fixture
def admin_user(db):
    return make_user("admin-2fa", "DIR", Role.ADMINISTRATOR)


def sign_in(username: str) -> Client:
    browser = Client()
    response = browser.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return browser


def code_for(device: TOTPDevice, *, later: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=later):06d}"


def enrol(browser: Client, user) -> list[str]:
    browser.get("/two-factor/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = browser.post("/two-factor/", {"code": code_for(device), "next": "/"})
    assert response.status_code == 302 and response.url.startswith("/two-factor/recovery/")
    return list(response.wsgi_request.session.get("safar_new_recovery_codes") or [])


def test_an_administrator_is_sent_to_enrol_before_any_page_the_admin_included(admin_user):
    browser = sign_in("admin-2fa")
    for path in ("/", "/admin/", "/reports/"):
        response = browser.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/two-factor/?next=")


def test_the_enrolment_page_shows_the_secret_as_qr_code_and_text(admin_user):
    browser = sign_in("admin-2fa")
    page = browser.get("/two-factor/").content.decode()
    assert "<svg" in page and 'data-testid="totp-secret"' in page
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    # Reloading keeps the same secret: the phone already scanned it.
    browser.get("/two-factor/")
    assert TOTPDevice.objects.get(user=admin_user, confirmed=False).key == device.key


def test_a_wrong_code_does_not_enrol(admin_user):
    browser = sign_in("admin-2fa")
    browser.get("/two-factor/")
    response = browser.post("/two-factor/", {"code": "000000"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()
    assert browser.get("/").status_code == 302


def test_enrolment_confirms_the_device_shows_ten_recovery_codes_once_and_opens_the_site(
    admin_user,
):
    browser = sign_in("admin-2fa")
    codes = enrol(browser, admin_user)
    assert len(codes) == 10
    first = browser.get("/two-factor/recovery/?next=/").content.decode()
    assert codes[0] in first
    again = browser.get("/two-factor/recovery/?next=/").content.decode()
    assert codes[0] not in again
    assert browser.get("/").status_code == 200
    assert AuditEvent.objects.filter(object_type="two_factor", user=admin_user).exists()


def test_a_later_sign_in_asks_for_a_code_and_accepts_the_authenticators(admin_user):
    enrol(sign_in("admin-2fa"), admin_user)
    browser = sign_in("admin-2fa")
    response = browser.get("/")
    assert response.url.startswith("/two-factor/verify/")
    device = TOTPDevice.objects.get(user=admin_user, confirmed=True)
    # The enrolment used this time step's code; the next one is fresh.
    response = browser.post("/two-factor/verify/", {"code": code_for(device, later=1), "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert browser.get("/reports/").status_code == 200


def test_a_recovery_code_signs_in_once_only(admin_user):
    codes = enrol(sign_in("admin-2fa"), admin_user)
    browser = sign_in("admin-2fa")
    assert browser.post("/two-factor/verify/", {"code": codes[3], "next": "/"}).status_code == 302
    assert browser.get("/").status_code == 200
    assert not StaticToken.objects.filter(token=codes[3]).exists()
    again = sign_in("admin-2fa")
    assert again.post("/two-factor/verify/", {"code": codes[3]}).status_code == 200
    assert again.get("/").status_code == 302


def test_an_operator_signs_in_with_a_password_alone(db):
    make_user("op-2fa", "ICC-DU", Role.OPERATOR)
    browser = sign_in("op-2fa")
    assert browser.get("/").status_code == 200
