"""The contact counts the dashboard reads (safar.helpdesk.contact_counts): kept exact in the
transaction of every contact write (the API, an edit of the categories from either side, a
move to another month or MSC, a delete, a category moved to another group or deleted, the
bulk loads), checked and rebuilt by `safar check-contact-counts`; and the dashboard's contact
figures equal the same figures counted from the contacts."""

import datetime
import json
import random
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from safar.core.models import Office
from safar.helpdesk.contact_counts import LOCAL, compare_with_recount
from safar.helpdesk.models import Caller, Category, Contact, ContactCount
from safar.monitoring import benchmarks
from safar.monitoring.dashboard import FIGURES, months_ending
from safar.monitoring.figures import Month

from .conftest import at, contact

pytestmark = pytest.mark.django_db
NOVEMBER = Month(2026, 11)


@pytest.fixture(autouse=True)
def december(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC), tick=False)


def kept():
    return {
        (m, f"{mo:%Y-%m}", d, g): n
        for m, mo, d, g, n in ContactCount.objects.values_list(
            "msc_id", "month", "data", "group", "n"
        )
    }


@pytest.fixture
def du():
    return Office.objects.get(code="MSC-DU")


@pytest.fixture
def caller(du):
    return Caller.objects.create(msc=du, phone="+992931111111", sex="F")


def test_a_contact_logged_through_the_api_is_counted_in_its_dushanbe_month(client, du):
    from tests.conftest import make_user

    client.force_login(make_user("consultant-du", "MSC-DU", "consultant"))
    body = {
        "msc": "MSC-DU",
        # 30 November 21:00 UTC: 1 December in Dushanbe.
        "received_at": "2026-12-01T02:00:00+05:00",
        "channel": "phone",
        "call_type": "data",
        "caller": {"phone": "93 123 4567"},
        "categories": ["entry_ban/check", "entry_ban/explain", "work/wages_unpaid"],
    }
    response = client.post("/api/helpdesk/contacts", json.dumps(body), "application/json")
    assert response.status_code == 201, response.content
    assert kept() == {
        (du.pk, "2026-12", True, ""): 1,
        (du.pk, "2026-12", True, "entry_ban"): 1,  # once, though filed twice under entry bans
        (du.pk, "2026-12", True, "work"): 1,
    }
    assert compare_with_recount() == []


def test_edits_moves_and_deletes_keep_the_counts_exact(du, caller):
    kh = Office.objects.get(code="MSC-KH")
    first = contact(du, "2026-11-05T09:00", caller=caller, categories=["entry_ban/check"])
    second = contact(du, "2026-11-06T09:00", caller=caller, categories=["documents/patent"])
    contact(du, "2026-11-07T09:00", call_type="silent")
    assert kept() == {
        (du.pk, "2026-11", True, ""): 2,
        (du.pk, "2026-11", False, ""): 1,
        (du.pk, "2026-11", True, "entry_ban"): 1,
        (du.pk, "2026-11", True, "documents"): 1,
    }
    # The categories edited: added, removed, set, cleared.
    first.categories.add(Category.objects.get(code="documents/patent"))
    assert kept()[(du.pk, "2026-11", True, "documents")] == 2
    first.categories.remove(Category.objects.get(code="entry_ban/check"))
    assert (du.pk, "2026-11", True, "entry_ban") not in kept()
    second.categories.set(Category.objects.filter(code__in=["entry_ban/explain"]))
    assert kept()[(du.pk, "2026-11", True, "entry_ban")] == 1
    assert kept()[(du.pk, "2026-11", True, "documents")] == 1
    second.categories.clear()
    assert (du.pk, "2026-11", True, "entry_ban") not in kept()
    # … and from a category's side.
    check = Category.objects.get(code="entry_ban/check")
    check.contacts.add(first, second)
    assert kept()[(du.pk, "2026-11", True, "entry_ban")] == 2
    check.contacts.remove(second)
    assert kept()[(du.pk, "2026-11", True, "entry_ban")] == 1
    check.contacts.clear()
    assert (du.pk, "2026-11", True, "entry_ban") not in kept()
    assert compare_with_recount() == []
    # Moved to another month, to another MSC, made a non-data call.
    first.received_at = at("2026-10-31T18:59")  # 23:59 in Dushanbe: October
    first.save()
    assert kept()[(du.pk, "2026-10", True, "")] == 1
    assert kept()[(du.pk, "2026-11", True, "")] == 1
    second.msc = kh
    second.save()
    assert (du.pk, "2026-11", True, "") not in kept()
    assert kept()[(kh.pk, "2026-11", True, "")] == 1
    assert compare_with_recount() == []
    # Deleted.
    first.delete()
    assert (du.pk, "2026-10", True, "") not in kept()
    Contact.objects.filter(msc=du).delete()
    assert (du.pk, "2026-11", False, "") not in kept()
    assert compare_with_recount() == []


def test_a_category_moved_to_another_group_or_deleted_moves_its_counts(du, caller):
    contact(du, "2026-11-05T09:00", caller=caller, categories=["entry_ban/check"])
    contact(du, "2026-11-06T09:00", caller=caller, categories=["entry_ban/check", "work/contract"])
    moved = Category.objects.get(code="entry_ban/check")
    moved.parent_id = "work"
    moved.save()
    assert kept()[(du.pk, "2026-11", True, "work")] == 2
    assert (du.pk, "2026-11", True, "entry_ban") not in kept()
    moved.delete()
    assert kept()[(du.pk, "2026-11", True, "work")] == 1
    assert compare_with_recount() == []


def test_a_write_rolled_back_takes_its_counts_with_it(du, caller):
    with pytest.raises(RuntimeError), transaction.atomic():
        contact(du, "2026-11-05T09:00", caller=caller, categories=["entry_ban/check"])
        assert kept()[(du.pk, "2026-11", True, "")] == 1
        raise RuntimeError
    assert kept() == {}


def test_the_check_finds_a_wrong_count_and_the_rebuild_repairs_it(du, caller, capsys):
    contact(du, "2026-11-05T09:00", caller=caller, categories=["entry_ban/check"])
    call_command("check-contact-counts")
    assert "all contact counts equal a recount" in capsys.readouterr().out
    ContactCount.objects.filter(group="").update(n=5)
    ContactCount.objects.create(msc=du, month=datetime.date(2026, 3, 1), data=False, group="", n=2)
    with pytest.raises(SystemExit) as exited:
        call_command("check-contact-counts")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "2 contact counts differ" in out and "2026-11 data *: 5 → 1" in out
    call_command("check-contact-counts", "--rebuild")
    assert compare_with_recount() == []
    assert kept()[(du.pk, "2026-11", True, "")] == 1


def test_the_benchmarks_bulk_fill_keeps_the_counts(db):
    benchmarks._fill(600, 20)
    assert ContactCount.objects.exists()
    assert compare_with_recount() == []


def _raw_figures(msc_ids, months):
    """The dashboard's contact figures counted from the contacts, in Python."""
    per_month = Counter()
    bans = Counter()
    groups = Counter()
    for c in Contact.objects.filter(msc_id__in=msc_ids, call_type="data").prefetch_related(
        "categories"
    ):
        local = c.received_at.astimezone(LOCAL)
        key = f"{local:%Y-%m}"
        if key not in {str(m) for m in months}:
            continue
        per_month[key] += 1
        mine = {cat.parent_id or "-" for cat in c.categories.all()}
        bans[key] += "entry_ban" in mine
        for group in mine:
            groups[group] += 1
    return per_month, bans, groups


def test_the_dashboards_figures_equal_those_counted_from_the_contacts(du, caller):
    rng = random.Random(5)
    mscs = list(Office.objects.filter(code__in=["MSC-DU", "MSC-KH", "MSC-KU"]))
    callers = {m.pk: Caller.objects.create(msc=m, phone=f"+99293{m.pk:07d}") for m in mscs}
    codes = list(Category.objects.filter(parent__isnull=False).values_list("code", flat=True))
    made = []
    for _ in range(120):
        msc = rng.choice(mscs)
        data = rng.random() < 0.8
        # Around the months' ends, where UTC and Dushanbe dates differ.
        day = datetime.datetime(2025, 11, 1, tzinfo=datetime.UTC) + datetime.timedelta(
            days=rng.randrange(400), hours=rng.choice((0, 18, 19, 20, 23))
        )
        made.append(
            contact(
                msc,
                day.strftime("%Y-%m-%dT%H:%M"),
                caller=callers[msc.pk] if data else None,
                call_type="data" if data else "prank",
                categories=rng.sample(codes, rng.choice((0, 1, 2, 3))) if data else [],
            )
        )
    # Some edits and deletes after.
    for c in rng.sample(made, 20):
        c.categories.set(Category.objects.filter(code__in=rng.sample(codes, 2)))
    for c in rng.sample(made, 10):
        c.delete()
    assert compare_with_recount() == []
    names = {c.code: str(c.name) for c in Category.objects.filter(parent__isnull=True)}
    for ids in ([mscs[0].pk], [m.pk for m in mscs]):
        months = months_ending(NOVEMBER)
        per_month, bans, groups = _raw_figures(ids, months)
        rows = FIGURES["contacts"](ids, months).rows
        assert [row[:3] for row in rows] == [
            [str(m), per_month[str(m)], bans[str(m)]] for m in months
        ]
        assert sum(per_month.values()) > 20
        shown = {name: n for name, n in FIGURES["categories"](ids, months).rows}
        assert shown == {names[g]: n for g, n in groups.items()}


def test_a_save_of_other_fields_does_not_recount(du, caller, django_assert_num_queries):
    made = contact(du, "2026-11-05T09:00", caller=caller, categories=["entry_ban/check"])
    made.notes = "called back"
    with django_assert_num_queries(1):
        made.save(update_fields=["notes"])
    made.received_at = at("2026-10-05T09:00")
    made.save(update_fields=["received_at"])
    assert kept() == {
        (du.pk, "2026-10", True, ""): 1,
        (du.pk, "2026-10", True, "entry_ban"): 1,
    }
