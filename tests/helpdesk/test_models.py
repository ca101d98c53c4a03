"""What the database guards, the starting categories, and the demo month."""

import datetime
import io

import pytest
from django.db import IntegrityError, transaction

from safar.core.models import Office
from safar.helpdesk.demo import load_demo_contacts
from safar.helpdesk.models import Caller, Category, Contact

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 11, 3, 5, 0, tzinfo=datetime.UTC)


def test_the_migration_loads_the_starting_taxonomy_in_three_languages():
    groups = Category.objects.filter(parent__isnull=True)
    assert len(groups) == 12
    assert Category.objects.filter(parent__isnull=False).count() == 26
    check = Category.objects.get(code="entry_ban/check")
    assert check.parent_id == "entry_ban"
    assert all([check.name_tg, check.name_ru, check.name_en])


def test_a_category_is_either_a_group_or_under_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(code="work/new", name_tg="x", name_ru="x", name_en="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(
            code="plain", parent_id="work", name_tg="x", name_ru="x", name_en="x"
        )


def test_a_number_has_one_profile_per_msc():
    msc = Office.objects.get(code="MSC-DU")
    Caller.objects.create(msc=msc, phone="+992931234567")
    with pytest.raises(IntegrityError), transaction.atomic():
        Caller.objects.create(msc=msc, phone="+992931234567")
    # Callers without a number (walk-ins who give none) each have their own.
    Caller.objects.create(msc=msc, phone="")
    Caller.objects.create(msc=msc, phone="")


def test_the_database_refuses_a_conversation_without_a_caller():
    msc = Office.objects.get(code="MSC-DU")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(msc=msc, received_at=AT, channel="phone", call_type="data")
    Contact.objects.create(msc=msc, received_at=AT, channel="phone", call_type="silent")


def test_the_demo_month_covers_the_four_mscs_with_both_kinds_of_call_and_loads_once(
    time_machine,
):
    time_machine.move_to(datetime.datetime(2026, 12, 1, 8, tzinfo=datetime.UTC))
    load_demo_contacts(io.StringIO())
    count = Contact.objects.count()
    assert count > 1000
    assert set(Contact.objects.values_list("msc__code", flat=True)) == {
        "MSC-DU",
        "MSC-KH",
        "MSC-KU",
        "MSC-BO",
    }
    assert Contact.objects.non_data_calls().exists()
    assert Contact.objects.data_calls().filter(categories__isnull=True).count() == 0
    assert max(Contact.objects.values_list("received_at", flat=True)).date() < datetime.date(
        2026, 12, 1
    )
    # Some calls about checking a ban keep the stay calculator's answer, some of them a ban.
    from safar.helpdesk.models import BanCheckResult

    checks = BanCheckResult.objects.all()
    assert 30 < checks.count() < 200
    assert all(check.contact.categories.filter(code="entry_ban/check") for check in checks[:20])
    assert checks.filter(ban_possible=True).exists()
    assert checks.filter(ban_possible=False).exists()
    load_demo_contacts(io.StringIO())
    assert Contact.objects.count() == count


def test_an_administrator_renames_a_category_but_cannot_change_its_code(client, db):
    from tests.conftest import make_user

    admin = make_user("admin", "DIR", "administrator")
    admin.is_staff = admin.is_superuser = True  # as the demo administrator
    admin.save()
    client.force_login(admin)
    url = "/admin/helpdesk/category/work%2Fwages_unpaid/change/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "code": "work/renamed",
            "name_tg": "Музди пардохтнашуда",
            "name_ru": "Невыплата зарплаты",
            "name_en": "Wages not paid",
            "position": 301,
            "active": "on",
        },
    )
    assert response.status_code == 302
    category = Category.objects.get(code="work/wages_unpaid")
    assert category.name_en == "Wages not paid"
    assert not Category.objects.filter(code="work/renamed").exists()
