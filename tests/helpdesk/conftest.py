import pytest

from tests.conftest import make_user


@pytest.fixture
def consultant_du(db):
    return make_user("consultant-du", "MSC-DU", "consultant")


@pytest.fixture
def consultant_kh(db):
    return make_user("consultant-kh", "MSC-KH", "consultant")


@pytest.fixture
def coordinator(db):
    return make_user("coordinator", "MS", "coordinator")


@pytest.fixture
def supervisor_du(db):
    return make_user("supervisor-du", "MSC-DU", "supervisor")


@pytest.fixture
def partner_iom(db):
    return make_user("partner-iom", "IOM-MOW", "partner")


@pytest.fixture
def partner_flac(db):
    return make_user("partner-flac", "FLAC", "partner")


@pytest.fixture
def case_du(consultant_du):
    from safar.core.models import Office
    from safar.helpdesk.models import Case

    return Case.objects.create(
        msc=Office.objects.get(code="MSC-DU"),
        case_type=Case.Type.MIGRANT,
        summary="Wages unpaid for four months in Moscow",
        assigned_to=consultant_du,
        opened_by=consultant_du,
    )


@pytest.fixture
def trainee_du(db):
    """A consultant of the Dushanbe MSC who works cases but may not read their sensitive
    details (a role declared for the test: the app's roles all read them)."""
    from django.contrib.auth.models import Group, Permission

    from safar.core import roles
    from safar.helpdesk.apps import CASE_WORK, CONTACT_WORK

    declared = roles.Grant("trainee", "helpdesk", roles.Scope.ORGANISATION, CASE_WORK)
    roles.GRANTS.append(declared)
    group = Group.objects.create(name="trainee")
    for permission in (*CONTACT_WORK, *CASE_WORK):
        if permission == "helpdesk.look_up_crossings":
            continue
        group.permissions.add(Permission.objects.get(codename=permission.split(".")[1]))
    yield make_user("trainee-du", "MSC-DU", "trainee")
    roles.GRANTS.remove(declared)
