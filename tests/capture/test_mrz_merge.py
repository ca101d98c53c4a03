"""A passport's MRZ (on the card's page or the page after it): a valid one fills the identity
fields."""

from safar.capture.reader import apply_mrz, confirms_traveller


def reading(values: dict, doubtful: list[str], mrz: dict | None) -> dict:
    fields = {name: {"valid": name not in doubtful, "target": name} for name in values}
    return {
        "aligned": True,
        "confident": not doubtful,
        "values": dict(values),
        "doubtful": list(doubtful),
        "fields": fields,
        "mrz": mrz,
    }


MRZ = {
    "format": "TD3",
    "valid": True,
    "fields": {
        "surname": "RAHIMOV",
        "given_names": "FARRUKH",
        "number": "400123456",
        "nationality": "TJK",
        "birth_date": "1990-07-14",
        "sex": "M",
        "surname_cyrillic": "РАҲИМОВ",
        "given_names_cyrillic": "ФАРРУХ",
    },
}
CARD = {
    "surname": "РАҲИМОВ",
    "given_names": "ФАРРУХ",
    "passport_number": "400123458",
    "birth_date": "1990-07-14",
    "citizenship": "TJK",
    "sex": "M",
    "purpose": "work",
}


def test_check_digit_verified_fields_replace_the_handwriting_and_clear_doubt():
    r = reading(CARD, ["passport_number"], MRZ)
    apply_mrz(r)
    assert r["values"]["passport_number"] == "400123456"
    assert r["doubtful"] == [] and r["confident"] is True


def test_a_doubtful_name_is_filled_in_the_cards_script():
    r = reading({**CARD, "surname": "РАҲИМОБ"}, ["surname"], MRZ)
    apply_mrz(r)
    assert r["values"]["surname"] == "РАҲИМОВ" and r["confident"] is True


def test_a_confident_field_that_disagrees_with_the_mrz_goes_to_an_operator():
    r = reading({**CARD, "sex": "F"}, [], MRZ)
    apply_mrz(r)
    assert r["values"]["sex"] == "F" and r["doubtful"] == ["sex"] and r["confident"] is False


def test_an_mrz_with_a_failing_check_digit_changes_nothing():
    r = reading(CARD, ["passport_number"], {**MRZ, "valid": False})
    apply_mrz(r)
    assert r["values"]["passport_number"] == "400123458" and r["doubtful"] == ["passport_number"]


def test_a_field_the_mrz_does_not_know_stays_doubtful():
    r = reading(CARD, ["purpose", "passport_number"], MRZ)
    apply_mrz(r)
    assert r["doubtful"] == ["purpose"] and r["confident"] is False


def test_names_transliterated_back_from_the_mrz_agree_with_the_cards_capitals():
    # read_mrz gives the Cyrillic transliteration in title case; the card is written in capitals.
    mrz = {
        **MRZ,
        "fields": {
            **MRZ["fields"],
            "surname_cyrillic": "Раҳимов",
            "given_names_cyrillic": "Фаррух",
        },
    }
    r = reading(CARD, ["given_names"], mrz)
    apply_mrz(r)
    assert r["values"]["given_names"] == "ФАРРУХ" and r["confident"] is True


def test_a_card_that_could_not_be_read_gets_the_passports_values_to_start_from():
    r = {"aligned": False, "confident": False, "values": {}, "doubtful": [], "fields": {}}
    filled = apply_mrz(r, MRZ)
    assert r["values"] == {
        "passport_number": "400123456",
        "birth_date": "1990-07-14",
        "citizenship": "TJK",
        "sex": "M",
    }
    assert sorted(filled) == ["birth_date", "citizenship", "passport_number", "sex"]
    assert r["confident"] is False


def test_a_cyrillic_name_spelled_as_the_mrz_spells_it_in_icao_latin_agrees():
    # ШЕРАЛӢ is SHERALI in a passport; the way back to Cyrillic guesses ШЕРАЛИ.
    mrz = {
        **MRZ,
        "fields": {**MRZ["fields"], "given_names": "SHERALI", "given_names_cyrillic": "Шерали"},
    }
    r = reading({**CARD, "given_names": "ШЕРАЛӢ"}, [], mrz)
    apply_mrz(r)
    assert r["values"]["given_names"] == "ШЕРАЛӢ" and r["doubtful"] == []


def test_a_passport_is_the_travellers_when_a_name_read_with_confidence_agrees():
    assert confirms_traveller(reading(CARD, ["passport_number"], MRZ), MRZ)
    other = {**CARD, "surname": "КАРИМОВА", "given_names": "МАДИНА"}
    assert not confirms_traveller(reading(other, [], MRZ), MRZ)
    # A doubtful name confirms nothing, even when it agrees.
    assert not confirms_traveller(reading(CARD, ["surname", "given_names"], MRZ), MRZ)


def test_a_doubtful_letter_in_the_mrzs_name_leaves_the_cards_doubtful_name_to_an_operator():
    # The MRZ reader was unsure of a letter of the surname (no check digit covers a name).
    mrz = {**MRZ, "doubtful_fields": ["surname"]}
    r = reading({**CARD, "surname": "РАҲИМОБ"}, ["surname", "passport_number"], mrz)
    filled = apply_mrz(r, mrz)
    assert r["values"]["surname"] == "РАҲИМОБ" and "surname" not in filled
    assert r["doubtful"] == ["surname"] and r["confident"] is False
    # What the check digits vouch for is still taken.
    assert r["values"]["passport_number"] == "400123456"


def test_a_confident_card_value_that_disagrees_with_a_doubtful_mrz_value_goes_to_an_operator():
    mrz = {**MRZ, "doubtful_fields": ["nationality"]}
    r = reading({**CARD, "citizenship": "UZB"}, [], mrz)
    apply_mrz(r, mrz)
    assert r["values"]["citizenship"] == "UZB" and r["doubtful"] == ["citizenship"]


def test_a_doubtful_mrz_field_is_not_offered_as_a_starting_value_for_an_unread_card():
    mrz = {**MRZ, "doubtful_fields": ["nationality", "sex"]}
    r = {"aligned": False, "confident": False, "values": {}, "doubtful": [], "fields": {}}
    assert sorted(apply_mrz(r, mrz)) == ["birth_date", "passport_number"]
    assert "citizenship" not in r["values"] and "sex" not in r["values"]
