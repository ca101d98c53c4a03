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
