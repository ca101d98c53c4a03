import pytest

from tests.conftest import make_user


@pytest.fixture
def consultant_ku(db):
    return make_user("consultant-ku", "MSC-KU", "consultant")


@pytest.fixture
def consultant_du(db):
    return make_user("consultant-du", "MSC-DU", "consultant")


@pytest.fixture
def supervisor_ku(db):
    return make_user("supervisor-ku", "MSC-KU", "supervisor")


@pytest.fixture
def coordinator(db):
    return make_user("coordinator", "MS", "coordinator")
