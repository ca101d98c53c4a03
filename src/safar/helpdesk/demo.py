"""Demo logins for the MSC helpdesk and a month of realistic contacts and cases at the four MSCs.

The month comes from the synthetic generator (safar.helpdesk.synthetic) with a fixed seed, so
every load is the same for the same day: contacts up to yesterday, cases spread over the
workflow. The demo consultant of Dushanbe has cases of their own — some overdue, one plan
awaiting the demo supervisor's approval — and the demo partner (IOM's Tajikistan office) has
referrals sent to it, some accepted. Loaded once: a database that already has contacts is left
alone."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from safar.core.demo import DemoUser, register_loader, register_users
from safar.core.models import Office, User

from .apps import CONSULTANT, COORDINATOR, PARTNER, SUPERVISOR
from .models import Case, Contact, Referral
from .synthetic import MSC_SHARE, load_helpdesk, staff_users
from .workflow import advance, answer_referral, send_referral

DAYS = 30
CONTACTS = 1500
CASES = 200
SEED = 13
PARTNER_OFFICE = "IOM-TJ"

register_users(
    DemoUser(
        "consultant-du",
        "safar-consultant",
        "MSC-DU",
        (CONSULTANT,),
        "Dushanbe MSC consultant: contacts, cases, referrals (two-step sign-in)",
        name="Нилуфар Саидова",
    ),
    DemoUser(
        "supervisor-du",
        "safar-supervisor",
        "MSC-DU",
        (SUPERVISOR,),
        "Dushanbe MSC supervisor: approves plans and closures (two-step sign-in)",
        name="Фаррух Назаров",
    ),
    DemoUser(
        "coordinator",
        "safar-coordinator",
        "MS",
        (COORDINATOR,),
        "MSC coordinator (Migration Service): contacts, case figures, a case with a reason",
        name="Шаҳло Раҳимова",
    ),
    DemoUser(
        "partner",
        "safar-partner",
        "IOM-TJ",
        (PARTNER,),
        "partner organisation (IOM): the referrals sent to it; accepts, rejects, completes",
        name="Дилшод Каримов",
    ),
)


def _staff() -> tuple[dict, dict[str, int]]:
    """Who works the demo cases: the demo consultant and supervisor with two colleagues in
    Dushanbe, and staff accounts without a password at the other MSCs."""
    staff = staff_users(list(MSC_SHARE), consultants=2, supervisors=1, prefix="demo")
    demo = {u.username: u for u in User.objects.filter(username__in=_DEMO_STAFF)}
    if "consultant-du" in demo:
        staff["MSC-DU"].consultants.insert(0, demo["consultant-du"].pk)
    if "supervisor-du" in demo:
        staff["MSC-DU"].supervisors = [demo["supervisor-du"].pk]
    partners = {PARTNER_OFFICE: demo["partner"].pk} if "partner" in demo else {}
    return staff, partners


_DEMO_STAFF = ("consultant-du", "supervisor-du", "partner")


def _own_cases_to_show(consultant: User, partner: User | None) -> None:
    """Make sure the demo consultant's month shows what the case pages are for: overdue
    follow-ups, a plan awaiting the supervisor, referrals to the demo partner sent and
    accepted. Done through the workflow, as the consultant and the partner would."""
    today = timezone.localdate()
    own = Case.objects.filter(assigned_to=consultant).order_by("opened_at", "id")
    following = own.filter(status__in=(Case.Status.SERVICES, Case.Status.FOLLOW_UP))
    for days, case in zip((3, 6, 11), following[:3], strict=False):
        Case.objects.filter(pk=case.pk).update(follow_up_due=today - datetime.timedelta(days=days))
    if not own.filter(status=Case.Status.PLAN_SUBMITTED).exists():
        planned = own.filter(status=Case.Status.PLAN).first()
        if planned is not None:
            planned.plan = planned.plan or "Нақша: машварати ҳуқуқӣ ва пайгирӣ баъди ду ҳафта."
            planned.save(update_fields=["plan"])
            advance(planned, "submit_plan", consultant)
    if partner is None:
        return
    office = Office.objects.get(code=PARTNER_OFFICE)
    to_partner = Referral.objects.filter(case__assigned_to=consultant, partner=office)
    open_cases = following.exclude(referrals__partner=office)
    for wanted, accepted in ((2, False), (2, True)):
        status = Referral.Status.ACCEPTED if accepted else Referral.Status.SENT
        missing = wanted - to_partner.filter(status=status).count()
        for case in open_cases[: max(0, missing)]:
            referral = send_referral(
                case,
                partner=office,
                reason="Просим помочь с трудоустройством и реинтеграцией клиента.",
                shared=[Referral.Share.CONTACT, Referral.Share.SUMMARY],
                consent=True,
                user=consultant,
            )
            if accepted:
                answer_referral(referral, "accept", partner)


@transaction.atomic
def load_demo_contacts(stdout) -> None:
    if Contact.objects.exists():
        return
    staff, partners = _staff()
    loaded = load_helpdesk(
        CONTACTS,
        CASES,
        seed=SEED,
        today=timezone.localdate(),
        days=DAYS,
        staff=staff,
        partner_users=partners,
    )
    demo = {u.username: u for u in User.objects.filter(username__in=_DEMO_STAFF)}
    if "consultant-du" in demo:
        _own_cases_to_show(demo["consultant-du"], demo.get("partner"))
    checking = Contact.objects.filter(categories__code="entry_ban/check").order_by("pk")
    checks = _demo_ban_checks(random.Random(SEED), [(c, ["entry_ban/check"]) for c in checking])
    stdout.write(
        f"Demo helpdesk: {loaded.counts.get('contact', 0):,} contacts, "
        f"{loaded.counts.get('case', 0):,} cases, {loaded.counts.get('referral', 0):,} referrals "
        f"at {len(MSC_SHARE)} MSCs over {DAYS} days ({checks} contacts with a stay calculation)."
    )


def _demo_ban_checks(rng: random.Random, topics_of: list[tuple[Contact, list[str]]]) -> int:
    """Half the calls about checking a ban keep a stay calculation: one to three earlier trips
    of 40–160 days (the caller back home, or still in Russia on the latest), as callers tell
    them; about a third of them went over the 90 days."""
    from .services import keep_ban_check
    from .staycheck import clean_ban_check

    kept = 0
    for contact, picked in topics_of:
        if "entry_ban/check" not in picked or rng.random() < 0.5:
            continue
        day = timezone.localdate(contact.received_at)
        trips: list[dict[str, str | None]] = []
        start = day - datetime.timedelta(days=rng.randint(400, 900))
        for _ in range(rng.randint(1, 3)):
            length = rng.choice((40, 60, 85, 90, 100, 120, 160))
            left = start + datetime.timedelta(days=length - 1)
            if left >= day:
                break
            trips.append({"entered": start.isoformat(), "left": left.isoformat()})
            start = left + datetime.timedelta(days=rng.randint(60, 240))
        if contact.migrant_location_id == "RUS" and start < day:
            trips.append({"entered": start.isoformat(), "left": None})
        errors: dict[str, list[str]] = {}
        data = clean_ban_check(
            {"trips": trips}, default_as_of=day, today=day, errors=errors, prefix="ban_check"
        )
        if data is not None:
            keep_ban_check(contact, data)
            kept += 1
    return kept


register_loader(load_demo_contacts, order=60)
