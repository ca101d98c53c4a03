"""The synthetic helpdesk data (benchmark and demo): deterministic, within the models' rules,
shaped like the MSCs' work; the demo month; the benchmark at a tiny size."""

import datetime
import io
import re
from collections import Counter

import pytest
from django.db.models import Count

from safar.helpdesk.models import (
    Caller,
    Case,
    CaseEvent,
    CaseNote,
    CasePerson,
    Contact,
    Referral,
    Service,
)
from safar.helpdesk.phones import normalise_phone
from safar.helpdesk.synthetic import (
    MSC_SHARE,
    HelpdeskGenerator,
    load_helpdesk,
    staff_users,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 1)
NOW = datetime.datetime(2026, 12, 1, 4, 0, tzinfo=datetime.UTC)  # 09:00 in Dushanbe


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def staff(db):
    return staff_users(list(MSC_SHARE), consultants=2, supervisors=1, prefix="t")


def _values(batch) -> list[tuple]:
    return (
        [
            (type(row).__name__, *(getattr(row, f.attname) for f in row._meta.concrete_fields))
            for rows in batch.rows.values()
            for row in rows
        ]
        + batch.contact_categories
        + batch.case_categories
    )


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(staff):
    def batch(seed):
        generator = HelpdeskGenerator(seed=seed, today=TODAY, days=60, staff=staff)
        return _values(generator.msc_batch("MSC-KH", 400, 60))

    first = batch(7)
    assert first == batch(7)
    assert first != batch(8)


def test_the_data_keeps_the_models_rules_and_looks_like_an_msc_month(staff):
    loaded = load_helpdesk(3000, 300, seed=3, today=TODAY, days=60, staff=staff)
    assert Contact.objects.count() == loaded.counts["contact"] == 3000
    assert Case.objects.count() == 300
    # Every row passes the model's own validation (choices, lengths, check constraints).
    for model in (Caller, Contact, Case, CasePerson, CaseNote, Service, Referral, CaseEvent):
        for row in model.objects.order_by("?")[:40]:
            # A partner's answer has no user when the partner has no account (null allowed).
            row.full_clean(validate_unique=False, exclude=["user"] if model is CaseEvent else None)
    by_msc = Counter(Contact.objects.values_list("msc__code", flat=True))
    assert by_msc.most_common(2)[0][0] in ("MSC-DU", "MSC-KH")
    assert by_msc["MSC-DU"] > 2 * by_msc["MSC-BO"]
    assert 0.25 <= Contact.objects.non_data_calls().count() / 3000 <= 0.35
    assert Contact.objects.data_calls().filter(categories__isnull=True).count() == 0
    top = Contact.categories.through.objects.values_list("category_id").annotate(n=Count("id"))
    assert max(top, key=lambda pair: pair[1])[0].startswith("entry_ban/")
    calls = Counter(Caller.objects.annotate(n=Count("contacts")).values_list("n", flat=True))
    assert max(calls) <= 8 and calls[1] > calls[2] > calls[8] > 0
    phones = list(Caller.objects.exclude(phone="").values_list("phone", flat=True))
    assert all(normalise_phone(p) == p for p in phones)
    assert any(p.startswith("+7 9".replace(" ", "")) for p in phones)
    assert any(p.startswith("+9929") for p in phones)
    surname = re.compile(r"^\S+ \S+(ов|ова|зода)$")
    assert all(
        surname.match(n) for n in Caller.objects.exclude(name="").values_list("name", flat=True)
    )
    # Weekdays are busier than Sundays; the period ends yesterday.
    days = Counter(c.received_at.astimezone(NOW.tzinfo).weekday() for c in Contact.objects.all())
    assert days[0] > 2 * days[6]
    assert max(Contact.objects.values_list("received_at", flat=True)) < NOW
    # Cases: opened from a contact, spread over the workflow, with what each status needs.
    assert Contact.objects.filter(outcome="case_opened", case__isnull=False).count() == 300
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"open", "assessment", "plan_submitted", "follow_up", "closed"} <= statuses
    assert Case.objects.overdue(TODAY).exists()
    assert Case.objects.open().filter(follow_up_due__gte=TODAY).exists()
    for case in Case.objects.exclude(status__in=("open", "assessment")):
        last = case.events.filter(kind="status").order_by("at", "id").last()
        assert last is not None and last.to_status == case.status, case
        if case.status in ("plan_submitted", "services", "follow_up"):
            assert case.has_assessment() and case.has_plan()
        if case.status in ("closure_requested", "closed"):
            assert case.has_closure()
    assert (
        Case.objects.filter(case_type="barred", closed_at__isnull=False)
        .exclude(barred_outcome="")
        .exists()
    )
    assert CasePerson.objects.filter(relation="child", school="at_risk").exists()
    assert all(p.name_key == p.name.casefold() for p in CasePerson.objects.all()[:50])
    assert {"sent", "accepted", "done"} <= set(Referral.objects.values_list("status", flat=True))
    assert all(
        re.match(r"^MSC-[A-Z]{2}-\d{4}-\d{6}$", n)
        for n in Case.objects.values_list("number", flat=True)
    )


def test_the_demo_month_gives_the_demo_consultant_cases_to_work_and_the_partner_referrals():
    from safar.helpdesk.demo import load_demo_contacts

    consultant = make_user("consultant-du", "MSC-DU", "consultant")
    make_user("supervisor-du", "MSC-DU", "supervisor")
    partner = make_user("partner", "IOM-TJ", "partner")
    load_demo_contacts(io.StringIO())
    assert 1400 <= Contact.objects.count() <= 1600
    own = Case.objects.filter(assigned_to=consultant)
    assert own.overdue(TODAY).exists()
    waiting = own.get(status="plan_submitted")
    assert waiting.events.filter(action="submit_plan", user=consultant).exists()
    to_partner = Referral.objects.visible_to(partner)
    assert to_partner.filter(status="sent").count() >= 2
    assert to_partner.filter(status="accepted").count() >= 2
    assert to_partner.count() == Referral.objects.filter(partner__code="IOM-TJ").count()


def test_the_benchmark_times_every_target_at_a_tiny_size(capsys):
    from safar.helpdesk import benchmarks

    args = benchmarks.parse(["--contacts", "2000", "--cases", "300", "--runs", "5"])
    assert benchmarks._run(args) == 0
    out = capsys.readouterr().out
    for name in (
        "caller lookup, frequent caller (page)",
        "caller lookup, one-time caller (page)",
        "case list, open, mine, by follow-up (query)",
        "overdue list (query)",
        "case detail with timeline (query)",
    ):
        assert f"| {name} |" in out
    assert "slowest p95" in out and Contact.objects.count() == 2000


def test_without_a_number_of_cases_about_one_data_contact_in_seven_opens_one(staff):
    load_helpdesk(1000, seed=5, today=TODAY, staff=staff)
    assert Case.objects.count() == 105
    assert Contact.objects.filter(outcome="case_opened").count() == 105
