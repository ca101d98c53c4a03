"""A passport scanned on the same page as the card: a valid MRZ fills the identity fields."""

from safar.capture.reader import apply_mrz


def reading(values: dict, doubtful: list[str], mrz: dict | None) -> dict:
    fields = {name: {"valid": name not in doubtful, "target": name} for name in values}
    return {"aligned": True, "confident": not doubtful, "values": dict(values),
            "doubtful": list(doubtful), "fields": fields, "mrz": mrz}


MRZ = {"format": "TD3", "valid": True, "fields": {
    "surname": "RAHIMOV", "given_names": "FARRUKH", "number": "400123456",
    "nationality": "TJK", "birth_date": "1990-07-14", "sex": "M",
    "surname_cyrillic": "РАҲИМОВ", "given_names_cyrillic": "ФАРРУХ"}}
CARD = {"surname": "РАҲИМОВ", "given_names": "ФАРРУХ", "passport_number": "400123458",
        "birth_date": "1990-07-14", "citizenship": "TJK", "sex": "M", "purpose": "work"}


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
