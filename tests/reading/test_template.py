"""The template format: the shipped card loads, and broken templates say what is wrong."""

import copy
import json

import pytest

from safar.reading.template import FORMS_DIR, TemplateError, load_template, parse_template

CARD = json.loads((FORMS_DIR / "safar-card.json").read_text(encoding="utf-8"))


def broken(change) -> dict:
    data = copy.deepcopy(CARD)
    change(data)
    return data


def test_the_safar_card_maps_every_crossing_field():
    template = load_template("safar-card")
    targets = {f.target for f in template.fields}
    assert {
        "card_number",
        "direction",
        "crossed_on",
        "border_point",
        "citizenship",
        "passport_number",
        "birth_date",
        "sex",
        "surname",
        "given_names",
        "purpose",
        "country",
        "region",
        "district",
    } <= targets
    assert template.field("crossed_on").format == "date"
    assert len(template.field("crossed_on").boxes) == 8


def test_every_label_is_in_three_languages():
    template = load_template("safar-card")
    for f in template.fields:
        assert set(f.label) >= {"tg", "ru", "en"}
        for o in f.options:
            assert all(o.label[lang] for lang in ("tg", "ru", "en"))


def test_an_unknown_template_name_lists_the_known_ones():
    with pytest.raises(TemplateError, match="known: .*safar-card"):
        load_template("no-such-card")


def test_a_missing_language_names_the_field():
    def drop_tajik(d):
        del d["fields"][1]["label"]["tg"]

    with pytest.raises(TemplateError, match="field 'direction': label lacks the languages tg"):
        parse_template(broken(drop_tajik))


def test_a_box_outside_the_page_is_refused():
    def move(d):
        d["fields"][1]["options"][0]["box"] = [300, 10, 4.5, 4.5]

    with pytest.raises(TemplateError, match="outside the page"):
        parse_template(broken(move))


def test_a_rule_naming_an_unknown_field_is_refused():
    def rule(d):
        d["rules"].append({"kind": "before", "field": "birth_date", "other": "wedding_day"})

    with pytest.raises(TemplateError, match="unknown field 'wedding_day'"):
        parse_template(broken(rule))


def test_an_other_option_must_name_a_field():
    def other(d):
        for f in d["fields"]:
            for o in f.get("options", []):
                if o.get("other"):
                    o["other"] = "nowhere"

    with pytest.raises(TemplateError, match="unknown field 'nowhere'"):
        parse_template(broken(other))


def test_a_date_needs_eight_boxes(tmp_path):
    def short(d):
        next(f for f in d["fields"] if f["name"] == "birth_date")["row"]["count"] = 6
        next(f for f in d["fields"] if f["name"] == "birth_date")["row"]["groups"] = [2, 2, 2]

    path = tmp_path / "short.json"
    path.write_text(json.dumps(broken(short)))
    with pytest.raises(TemplateError, match=r"short.json: field 'birth_date': a date needs 8"):
        load_template(path)


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n "page": {\n')
    with pytest.raises(TemplateError, match="bad.json: line 3"):
        load_template(path)
