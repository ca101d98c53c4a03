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
