"""A small named world shared by the tests: offices, and one user per role."""

import os

import pytest
from django.contrib.auth.models import Group

from safar.core.models import Office, Role, User


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
