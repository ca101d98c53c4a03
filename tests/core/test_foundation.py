import re
from pathlib import Path

import pytest

from safar.core.models import BorderPoint, Country, Office, Purpose, Region

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_reference_data_is_loaded_by_migrations():
    assert set(Region.objects.values_list("code", flat=True)) == {
        "TJ-DU",
        "TJ-SU",
        "TJ-KT",
        "TJ-GB",
        "TJ-RA",
    }
    assert {"DYU", "LBD", "TJU", "KQT", "FTH", "PNP", "KLM", "KRM"} <= set(
        BorderPoint.objects.values_list("code", flat=True)
    )
    assert set(Purpose.objects.values_list("code", flat=True)) == {
        "work",
        "study",
        "private",
        "tourism",
        "business",
        "official",
        "transit",
        "other",
    }
    assert Office.objects.filter(kind=Office.Kind.BORDER_CENTRE).count() == 4
    russia = Country.objects.get(code="RUS")
    assert russia.name_tg and russia.name_ru == "Российская Федерация"


@pytest.mark.django_db
def test_every_border_point_belongs_to_a_border_centre():
    assert not BorderPoint.objects.exclude(centre__kind=Office.Kind.BORDER_CENTRE).exists()


def test_env_example_lists_exactly_the_variables_the_code_reads():
    code = "\n".join(p.read_text() for p in (REPO / "src").rglob("*.py"))
    read = set(
        re.findall(r"""(?:environ\.get|env_\w+|getenv)\(\s*["']((?:SAFAR_|DATABASE_)\w*)""", code)
    )
    listed = set(
        re.findall(r"^((?:SAFAR_|DATABASE_)\w*)=", (REPO / ".env.example").read_text(), re.M)
    )
    assert read == listed


@pytest.mark.django_db
def test_every_region_has_districts_or_cities():
    from safar.core.models import District

    for region in Region.objects.all():
        assert District.objects.filter(region=region).exists(), region.code
    assert District.objects.get(code="SU-KHU").kind == District.Kind.CITY


@pytest.mark.django_db
def test_an_operator_without_an_office_sees_no_cards_scans_or_uploads():
    from safar.capture.models import Scan, Upload
    from safar.crossings.models import Crossing
    from tests.conftest import make_user

    lost = make_user("lost-operator", None, "operator")
    assert Crossing.objects.visible_to(lost).query.is_empty()
    assert Scan.objects.visible_to(lost).query.is_empty()
    assert Upload.objects.visible_to(lost).query.is_empty()


def test_the_organisations_safar_knows_come_with_kinds_regions_and_parents(db):
    from safar.core.models import Office

    msc = Office.objects.get(code="MSC-KH")
    assert msc.kind == Office.Kind.MSC and msc.region_id == "TJ-SU"
    assert msc.parent.code == "MS" and msc.parent.parent.code == "MOL"
    assert set(Office.objects.filter(kind="msc").values_list("code", flat=True)) == {
        "MSC-DU",
        "MSC-KH",
        "MSC-KU",
        "MSC-BO",
    }
    kinds = set(Office.objects.values_list("kind", flat=True))
    assert {
        "ministry",
        "border_centre",
        "employment_office",
        "embassy",
        "international",
        "legal_aid",
    } <= kinds
    assert Office.objects.get(code="ICC-DU").parent.code == "MS"
