"""A small hand-made November 2026 at the Dushanbe MSC (and one contact at Khujand), with
known answers for every M-table (see test_figures.py)."""

from __future__ import annotations

import datetime

import pytest

from safar.core.models import Office
from safar.helpdesk.models import (
    Caller,
    Case,
    CaseEvent,
    CasePerson,
    Category,
    Contact,
    Referral,
    Service,
)
from tests.conftest import make_user

UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    """A UTC moment: "2026-11-30T20:00" is December 1st, 01:00 in Dushanbe (UTC+5)."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def consultant_du(db):
    return make_user("consultant-du", "MSC-DU", "consultant")


@pytest.fixture
def supervisor_du(db):
    return make_user("supervisor-du", "MSC-DU", "supervisor")


@pytest.fixture
def supervisor_kh(db):
    return make_user("supervisor-kh", "MSC-KH", "supervisor")


@pytest.fixture
def coordinator(db):
    return make_user("coordinator", "MS", "coordinator")


@pytest.fixture
def administrator(db):
    return make_user("admin", "DIR", "administrator")


def contact(
    msc,
    when,
    *,
    caller=None,
    channel="phone",
    call_type="data",
    categories=(),
    location=None,
    outcome="",
):
    made = Contact.objects.create(
        msc=msc,
        received_at=at(when),
        channel=channel,
        call_type=call_type,
        caller=caller,
        migrant_location_id=location,
        outcome=outcome,
    )
    made.categories.set(Category.objects.filter(code__in=categories))
    return made


def case(msc, user, opened, case_type="migrant", *, closed=None, follow_up=None, events=()):
    """A case opened at `opened`; `closed` closes it then (with its event); `events` are
    (when, to_status) status events (a reopening, a closing)."""
    made = Case.objects.create(
        msc=msc,
        case_type=case_type,
        summary="test",
        opened_at=at(opened),
        opened_by=user,
        follow_up_due=follow_up,
        status=Case.Status.CLOSED if closed else Case.Status.OPEN,
        closed_at=at(closed) if closed else None,
    )
    for when, status in [*events, *([(closed, "closed")] if closed else [])]:
        CaseEvent.objects.create(
            case=made, at=at(when), user=user, kind="status", action="x", to_status=status
        )
    return made


def referral(case_, partner_code, user, sent, events=()):
    made = Referral.objects.create(
        case=case_,
        partner=Office.objects.get(code=partner_code),
        reason="help",
        consent="given",
        sent_by=user,
        sent_at=at(sent),
        status=events[-1][1] if events else "sent",
    )
    for when, status in [(sent, "sent"), *events]:
        CaseEvent.objects.create(
            case=case_,
            at=at(when),
            user=user,
            kind="referral",
            action="x",
            to_status=status,
            referral=made,
        )
    return made


@pytest.fixture
def november(consultant_du):
    du = Office.objects.get(code="MSC-DU")
    kh = Office.objects.get(code="MSC-KH")
    a = Caller.objects.create(msc=du, phone="+992931111111", sex="F", region_id="TJ-DU")
    b = Caller.objects.create(msc=du, phone="+992932222222", sex="M", region_id="TJ-SU")
    c = Caller.objects.create(msc=du, phone="+992933333333", sex="M")
    d = Caller.objects.create(msc=du, phone="", sex="U")  # a walk-in who gave no number
    e = Caller.objects.create(msc=kh, phone="+992934444444", sex="F")
    # Data contacts of November (Dushanbe dates).
    contact(
        du,
        "2026-11-05T09:00",
        caller=a,
        categories=["documents/patent", "entry_ban/check"],
        location="RUS",
        outcome="information",
    )
    contact(
        du,
        "2026-11-03T09:00",
        caller=b,
        categories=["entry_ban/check"],
        location="RUS",
        outcome="referred",
    )
    contact(
        du,
        "2026-11-20T09:00",
        caller=b,
        channel="walk_in",
        categories=["work/wages_unpaid"],
        outcome="case_opened",
    )
    contact(du, "2026-10-31T19:30", caller=c)  # November 1st, 00:30 in Dushanbe
    contact(
        du,
        "2026-11-10T09:00",
        caller=d,
        channel="walk_in",
        categories=["documents/patent"],
        location="TJK",
        outcome="information",
    )
    contact(kh, "2026-11-11T09:00", caller=e, categories=["documents/patent"])
    # Outside November in Dushanbe.
    contact(du, "2026-11-30T20:00", caller=c)  # December 1st, 01:00
    contact(du, "2026-10-15T09:00", caller=a)  # a's first contact: October
    # Calls without a conversation.
    contact(du, "2026-11-02T09:00", call_type="silent")
    contact(du, "2026-11-02T10:00", call_type="silent")
    contact(du, "2026-11-02T11:00", call_type="prank")
    contact(du, "2026-11-30T20:30", call_type="silent")  # December
    # Cases.
    user = consultant_du
    case1 = case(du, user, "2026-11-02T09:00", closed="2026-11-25T09:00")
    case(du, user, "2026-10-10T09:00", "family", closed="2026-11-30T20:00")  # closed in Dec
    case3 = case(
        du,
        user,
        "2026-10-01T09:00",
        "barred",
        follow_up=datetime.date(2026, 11, 15),
        events=[("2026-10-20T09:00", "closed"), ("2026-11-10T09:00", "assessment")],
    )
    case(du, user, "2026-09-01T09:00", closed="2026-09-30T09:00")
    case5 = case(du, user, "2026-11-28T09:00", follow_up=datetime.date(2026, 12, 5))
    case(du, user, "2026-11-30T20:00", "trafficking")  # opened December 1st
    case(du, user, "2026-10-05T09:00", "family", closed="2026-11-12T09:00")
    # Referrals.
    referral(
        case1,
        "IOM-MOW",
        user,
        "2026-11-03T09:00",
        [("2026-11-10T09:00", "accepted"), ("2026-12-02T09:00", "done")],
    )
    referral(case5, "FLAC", user, "2026-11-29T09:00")
    referral(case3, "FLAC", user, "2026-10-20T09:00")
    referral(case1, "FLAC", user, "2026-11-04T09:00", [("2026-11-06T09:00", "rejected")])
    # Services.
    woman = CasePerson.objects.create(case=case1, relation="migrant", name="Zarina", sex="F")
    for day in (datetime.date(2026, 11, 5), datetime.date(2026, 11, 30)):
        Service.objects.create(case=case1, person=woman, kind="legal", given_on=day, given_by=user)
    Service.objects.create(
        case=case5, kind="psychological", given_on=datetime.date(2026, 11, 12), given_by=user
    )
    Service.objects.create(
        case=case5, kind="legal", given_on=datetime.date(2026, 12, 1), given_by=user
    )
    Service.objects.create(
        case=case5, kind="legal", given_on=datetime.date(2026, 10, 31), given_by=user
    )
    return {"du": du, "kh": kh}
