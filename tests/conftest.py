"""A small named world shared by the tests: offices, and one user per role."""

import datetime
import os

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.servers.basehttp import WSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import settings as hypothesis_settings

from safar.core.models import Office, Role, User
from safar.core.roles import requires_two_factor

# A loaded CI machine must not fail a property test on time: no deadlines there.
hypothesis_settings.register_profile("ci", deadline=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def shifted_clock():
    """SAFAR_TEST_CLOCK_SHIFT_DAYS=N runs the whole suite N days in the future (CI does, with a
    year): a test that depends on today's date instead of a frozen one fails there."""
    days = int(os.environ.get("SAFAR_TEST_CLOCK_SHIFT_DAYS") or 0)
    if not days:
        yield
        return
    moved = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)
    with time_machine.travel(moved, tick=True):
        yield


class SerialLiveServer(WSGIServer):
    """The browser tests' live server, answering one request at a time.

    With SQLite the test database lives in memory, and the live server's request threads all
    share the test's one connection: a form posted while the page's images still loaded could
    find no session (a login page instead of the next card, seen in CI). Serial requests over
    that one connection cannot collide; the browser queues its parallel requests meanwhile.
    LiveServerThread.run() gives the server's thread the shared connection.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = SerialLiveServer


class SafarClient(Client):
    """Django's test client, whose force_login also completes the second sign-in step for users
    who must use two factors (as the real sign-in does after a code): tests of other pages see
    them as a verified session. tests/core/test_two_factor.py tests the step itself."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if requires_two_factor(user):
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="authenticator", defaults={"confirmed": True}
            )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client():
    return SafarClient()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL, one test database per test run, so that runs side by side do not collide."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "postgresql" in db["ENGINE"]:
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{os.getpid()}"


@pytest.fixture(autouse=True)
def django_db_serialized_rollback():
    """Every transactional test starts from the migrated database, reference data included.

    Reference data, role groups and seed articles come from data migrations. A transactional test
    (live server, real workers) empties every table when it ends; with serialized rollback for ALL
    of them, the next one reloads the migrated contents instead of finding empty tables, and no
    test re-creates content types that the reload would then collide with. This overrides
    pytest-django's fixture of the same name, so that its presence turns the behaviour on.
    """


@pytest.fixture
def reference_data(transactional_db):
    """The offices, border points and codes the migrations load, loaded again when an earlier
    transactional test's flush took them (serialized rollback cannot be relied on once any
    transactional test in the session flushed without it)."""
    from django.apps import apps

    from safar.core.models import BorderPoint
    from safar.core.reference_data import load_reference

    if not BorderPoint.objects.filter(pk="DYU").exists():
        load_reference(apps)


def make_user(username: str, office_code: str | None, *roles: str, password: str = "pw-Safar-2026"):
    user = User.objects.create_user(username=username, password=password)
    if office_code:
        user.office = Office.objects.get(code=office_code)
        user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


@pytest.fixture
def operator_du(db):
    """An operator at the Dushanbe centre (DYU airport, Karamyk)."""
    return make_user("operator-du", "ICC-DU", Role.OPERATOR)


@pytest.fixture
def operator_su(db):
    """An operator at the Sughd centre (Khujand airport, Fotehobod)."""
    return make_user("operator-su", "ICC-SU", Role.OPERATOR)


@pytest.fixture
def analyst(db):
    return make_user("analyst", "DIR", Role.ANALYST)


@pytest.fixture
def administrator(db):
    return make_user("admin", "DIR", Role.ADMINISTRATOR)


@pytest.fixture
def outsider(db):
    """A logged-in user with no role at all."""
    return make_user("outsider", None)
