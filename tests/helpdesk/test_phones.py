import pytest

from safar.helpdesk.phones import InvalidPhone, normalise_phone


@pytest.mark.parametrize(
    "typed",
    ["93 123 4567", "931234567", "+992 93 123 4567", "00992931234567", "(93) 123-45-67"],
)
def test_a_number_typed_without_a_country_code_is_tajik(typed):
    assert normalise_phone(typed) == "+992931234567"


@pytest.mark.parametrize("typed", ["+7 916 123-45-67", "+79161234567", "007 916 123 45 67"])
def test_a_russian_number_keeps_its_country(typed):
    assert normalise_phone(typed) == "+79161234567"


@pytest.mark.parametrize("typed", ["", "12", "hello", "+992 12", "93 123 4567 8888 99"])
def test_what_is_not_a_dialable_number_is_refused(typed):
    with pytest.raises(InvalidPhone):
        normalise_phone(typed)
