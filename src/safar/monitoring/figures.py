"""The twelve tables of an MSC's monthly report (M01 … M12), computed from the helpdesk records.

Exact definitions (issue 14), columns in this order, rows whose counts are all zero left out:

    M01 data contacts                            channel, sex, contacts
    M02 non-data contacts                        call_type, contacts
    M03 data contacts, per category              category, contacts
    M04 data contacts                            migrant_location, contacts
    M05 data contacts (region "" when unknown)   region, contacts
    M06 data contacts                            outcome, contacts
    M07 callers whose first data contact at
        this MSC is in the month                 sex, callers
    M08 cases opened and closed in the month     case_type, opened, closed
    M09 referrals sent in the month, by their
        status at the end of the month           partner_kind, status, referrals
    M10 services given in the month              service, sex, services
    M11 sessions held in the month               kind, sessions, participants_f, participants_m
    M12 at the end of the month                  open_cases, overdue_follow_ups

A month is a month of local dates in Asia/Dushanbe: a contact received at 2026-11-30T20:00Z is
on December 1st there. A contact filed under several categories counts once in each (M03).
Every table is a few GROUP BY queries over indexed columns (msc, received_at …): no Python loop
over the records. Given several MSCs, the figures are summed (grouped without the centre).
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from safar.core.models import Office
from safar.helpdesk.models import Case, CaseEvent, Contact, Referral, Service
from safar.helpdesk.models.contacts import ContactQuerySet

LOCAL = zoneinfo.ZoneInfo("Asia/Dushanbe")
MONTH_RE = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


@dataclass(frozen=True)
class Month:
    """A calendar month, its bounds as aware datetimes in Dushanbe time."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """ "2026-11" → Month(2026, 11); ValueError for anything else."""
        found = MONTH_RE.fullmatch(text or "") if isinstance(text, str) else None
        if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
            raise ValueError(f"expected a month as YYYY-MM, got {str(text)[:20]!r}")
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def last_day(self) -> datetime.date:
        return self.next.first_day - datetime.timedelta(days=1)

    @property
    def start(self) -> datetime.datetime:
        """Midnight of the first day, Dushanbe time."""
        return datetime.datetime.combine(self.first_day, datetime.time(), tzinfo=LOCAL)

    @property
    def end(self) -> datetime.datetime:
        """Midnight after the last day, Dushanbe time (excluded)."""
        return self.next.start


# --- the sessions of outreach work (M11) ------------------------------------------------------

# (MSC ids, month) → rows [kind, sessions, participants_f, participants_m]. The outreach app,
# when installed, registers its own with `register_sessions`; without it M11 has no rows.
SessionSource = Callable[[list[int], "Month"], list[list]]
_session_sources: list[SessionSource] = []


def register_sessions(source: SessionSource) -> None:
    if source not in _session_sources:
        _session_sources.append(source)


# --- the tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    code: str
    title: object
    columns: tuple[str, ...]
    # How many of the last columns are counts (the rest name the row).
    counts: int
    compute: Callable[[list[int], Month], list[list]]

    @property
    def key_columns(self) -> tuple[str, ...]:
        return self.columns[: len(self.columns) - self.counts]

    @property
    def count_columns(self) -> tuple[str, ...]:
        return self.columns[len(self.columns) - self.counts :]

    def rows(self, msc_ids: Iterable[int], month: Month) -> list[list]:
        """The rows for these MSCs (summed), sorted by their key, without all-zero rows."""
        rows = self.compute(sorted(msc_ids), month)
        width = len(self.key_columns)
        rows = [
            [*("" if v is None else v for v in row[:width]), *(int(n or 0) for n in row[width:])]
            for row in rows
        ]
        rows = [row for row in rows if any(row[width:])]
        return sorted(rows, key=lambda row: [str(v) for v in row[:width]])


def _contacts(msc_ids: list[int], month: Month) -> ContactQuerySet:
    found: ContactQuerySet = Contact.objects.filter(
        msc_id__in=msc_ids, received_at__gte=month.start, received_at__lt=month.end
    )
    return found


def _grouped(queryset: QuerySet, *keys: str) -> list[list]:
    return [
        [*row[:-1], row[-1]]
        for row in queryset.values_list(*keys).annotate(n=Count("pk")).order_by()
    ]


def m01(msc_ids: list[int], month: Month) -> list[list]:
    return _grouped(_contacts(msc_ids, month).data_calls(), "channel", "caller__sex")


def m02(msc_ids: list[int], month: Month) -> list[list]:
    return _grouped(_contacts(msc_ids, month).non_data_calls(), "call_type")


def m03(msc_ids: list[int], month: Month) -> list[list]:
    # One row of the link table per contact and category: a contact counts once in each.
    links = Contact.categories.through.objects.filter(
        contact__msc_id__in=msc_ids,
        contact__received_at__gte=month.start,
        contact__received_at__lt=month.end,
        contact__call_type=Contact.CallType.DATA,
    )
    return _grouped(links, "category_id")


def m04(msc_ids: list[int], month: Month) -> list[list]:
    return _grouped(_contacts(msc_ids, month).data_calls(), "migrant_location_id")


def m05(msc_ids: list[int], month: Month) -> list[list]:
    return _grouped(_contacts(msc_ids, month).data_calls(), "caller__region_id")


def m06(msc_ids: list[int], month: Month) -> list[list]:
    return _grouped(_contacts(msc_ids, month).data_calls(), "outcome")


def m07(msc_ids: list[int], month: Month) -> list[list]:
    """Callers new to the centre this month. A caller profile is one normalised (E.164) phone
    number at one MSC (unique there), so counting profiles counts numbers; a caller who gave no
    number is a profile of their own. Started from the month's contacts (few), each asked for
    its caller's first data contact at the MSC: one probe of the (caller, received_at) index
    (a correlated subquery, which PostgreSQL does not turn into a hash join over every earlier
    contact)."""
    first = (
        Contact.objects.filter(
            caller_id=OuterRef("caller_id"),
            msc_id=OuterRef("msc_id"),
            call_type=Contact.CallType.DATA,
        )
        .order_by("received_at")
        .values("received_at")[:1]
    )
    new = (
        _contacts(msc_ids, month)
        .data_calls()
        .annotate(first=Subquery(first))
        .filter(first__gte=month.start)
    )
    return [
        list(row)
        for row in new.values_list("caller__sex")
        .annotate(n=Count("caller_id", distinct=True))
        .order_by()
    ]


def m08(msc_ids: list[int], month: Month) -> list[list]:
    """Cases opened in the month, and cases closed in it (by their closing events, so a case
    closed and reopened later still counts as closed in the month it was closed; once)."""
    opened = dict(
        Case.objects.filter(msc_id__in=msc_ids, opened_at__gte=month.start, opened_at__lt=month.end)
        .values_list("case_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    closed = dict(
        CaseEvent.objects.filter(
            case__msc_id__in=msc_ids,
            kind=CaseEvent.Kind.STATUS,
            to_status=Case.Status.CLOSED,
            at__gte=month.start,
            at__lt=month.end,
        )
        .values_list("case__case_type")
        .annotate(n=Count("case_id", distinct=True))
        .order_by()
    )
    return [[kind, opened.get(kind, 0), closed.get(kind, 0)] for kind in opened.keys() | closed]


def m09(msc_ids: list[int], month: Month) -> list[list]:
    """Referrals sent in the month, by the partner's kind and the referral's status at the end
    of the month: the last referral event before then (sent when there is none)."""
    last_status = (
        CaseEvent.objects.filter(
            referral_id=OuterRef("pk"),
            kind=CaseEvent.Kind.REFERRAL,
            at__lt=month.end,
        )
        .exclude(to_status="")
        .order_by("-at", "-id")
        .values("to_status")[:1]
    )
    sent = Referral.objects.filter(
        case__msc_id__in=msc_ids, sent_at__gte=month.start, sent_at__lt=month.end
    ).annotate(status_then=Coalesce(Subquery(last_status), Value(Referral.Status.SENT.value)))
    return _grouped(sent, "partner__kind", "status_then")


def m10(msc_ids: list[int], month: Month) -> list[list]:
    services = Service.objects.filter(
        case__msc_id__in=msc_ids,
        given_on__gte=month.first_day,
        given_on__lte=month.last_day,
    ).annotate(sex=Coalesce("person__sex", Value("U")))
    return _grouped(services, "kind", "sex")


def m11(msc_ids: list[int], month: Month) -> list[list]:
    """Sessions held in the month: from the outreach app when it is installed (none without)."""
    rows: list[list] = []
    for source in _session_sources:
        rows += source(msc_ids, month)
    totals: dict[str, list[int]] = {}
    for kind, sessions, women, men in rows:
        total = totals.setdefault(kind, [0, 0, 0])
        for i, value in enumerate((sessions, women, men)):
            total[i] += int(value or 0)
    return [[kind, *values] for kind, values in totals.items()]


def m12(msc_ids: list[int], month: Month) -> list[list]:
    """Cases open at the end of the month (opened before it, and not closed then: the last
    status event before the end is not a closing), and those of them whose follow-up date had
    passed (a date in the month or earlier). The follow-up date is the case's current one: its
    history is not kept."""
    last_status = (
        CaseEvent.objects.filter(
            case_id=OuterRef("pk"), kind=CaseEvent.Kind.STATUS, at__lt=month.end
        )
        .exclude(to_status="")
        .order_by("-at", "-id")
        .values("to_status")[:1]
    )
    cases = Case.objects.filter(msc_id__in=msc_ids, opened_at__lt=month.end)
    closed_before = CaseEvent.objects.filter(
        case_id=OuterRef("pk"),
        kind=CaseEvent.Kind.STATUS,
        to_status=Case.Status.CLOSED,
        at__lt=month.end,
    )
    # A case closed now, since before the end, was closed at the end (a reopening clears
    # closed_at; a later closing sets it anew): no history needed. A case open now, or closed
    # only after the end, was open at the end unless it had been closed before the end and
    # reopened after it (rare): only those with a closing before the end are asked for their
    # last status then. Each part is counted on its own so that SQLite and PostgreSQL use the
    # (msc, status, opened_at, follow_up_due, closed_at) index for each (covering).
    open_statuses = [status for status in Case.Status.values if status != Case.Status.CLOSED]
    counts = {"open_cases": 0, "overdue": 0}
    for part in (
        cases.filter(status__in=open_statuses),
        cases.filter(status=Case.Status.CLOSED, closed_at__gte=month.end),
    ):
        closed_then = (
            part.filter(Exists(closed_before))
            .annotate(then=Subquery(last_status))
            .filter(then=Case.Status.CLOSED)
        )
        found = part.exclude(pk__in=closed_then.values("pk")).aggregate(
            open_cases=Count("pk"),
            overdue=Count("pk", filter=Q(follow_up_due__lt=month.next.first_day)),
        )
        for name in counts:
            counts[name] += found[name]
    return [[counts["open_cases"], counts["overdue"]]]


TABLES: dict[str, Table] = {
    table.code: table
    for table in (
        Table("M01", _("Data contacts by channel and sex"), ("channel", "sex", "contacts"), 1, m01),
        Table("M02", _("Calls without a conversation"), ("call_type", "contacts"), 1, m02),
        Table("M03", _("Data contacts by category"), ("category", "contacts"), 1, m03),
        Table(
            "M04",
            _("Data contacts by where the migrant is"),
            ("migrant_location", "contacts"),
            1,
            m04,
        ),
        Table("M05", _("Data contacts by the caller's region"), ("region", "contacts"), 1, m05),
        Table("M06", _("Data contacts by outcome"), ("outcome", "contacts"), 1, m06),
        Table("M07", _("New callers by sex"), ("sex", "callers"), 1, m07),
        Table("M08", _("Cases opened and closed"), ("case_type", "opened", "closed"), 2, m08),
        Table(
            "M09",
            _("Referrals sent, by their status at the end of the month"),
            ("partner_kind", "status", "referrals"),
            1,
            m09,
        ),
        Table("M10", _("Services given"), ("service", "sex", "services"), 1, m10),
        Table(
            "M11",
            _("Outreach sessions held"),
            ("kind", "sessions", "participants_f", "participants_m"),
            3,
            m11,
        ),
        Table(
            "M12",
            _("Open cases at the end of the month"),
            ("open_cases", "overdue_follow_ups"),
            2,
            m12,
        ),
    )
}


def compute_all(mscs: Iterable[Office], month: Month) -> dict[str, list[list]]:
    """Every table's rows for these MSCs (summed): {"M01": rows, …}."""
    ids = [msc.pk for msc in mscs]
    return {code: table.rows(ids, month) for code, table in TABLES.items()}
