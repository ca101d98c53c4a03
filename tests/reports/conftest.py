import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The named users' passwords play no part here; a cheap hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
