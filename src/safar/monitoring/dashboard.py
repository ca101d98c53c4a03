"""The dashboard: a year of figures for the MSCs a user sees (national, summed, or one MSC), each
a table with a chart above it and a CSV of its own; and the reporting completeness of a month
(which MSC has submitted, on time or late).

Every figure is one query over indexed columns (cases two): a GROUP BY, or for the per-month
figures conditional counts, one per month (written around the rows the ORM selects). The
contacts and categories figures read the contact counts kept per MSC and month
(safar.helpdesk.contact_counts), not a year of contacts. Months are months of Dushanbe dates
(each month's bounds in the local zone), as in the monthly report.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Min, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safar.core.models import District, Office
from safar.helpdesk.models import Case, CaseEvent, Category, ContactCount, Referral, Service
from safar.reports.charts import Chart

from .figures import LOCAL, Month
from .models import MonthlyReport

ENTRY_BANS = "entry_ban"  # the category group whose share the dashboard shows
WINDOW = 12  # months shown, ending with the chosen one


@dataclass
class Figure:
    key: str
    title: str
    columns: list[str]  # headings, in the active language
    rows: list[list]
    numeric: list[bool]
    chart: Chart | None = None
    summary: str = ""  # the chart's text alternative, beside the table under it
    extra: dict = field(default_factory=dict)


def months_ending(last: Month, count: int = WINDOW) -> list[Month]:
    months = [last]
    while len(months) < count:
        months.insert(0, months[0].previous)
    return months


@dataclass(frozen=True)
class Counted:
    """What a per-month figure counts in each month: the rows whose `field` is not null (each
    value once if `distinct`), of those whose `where` field equals its value if given."""

    field: str = "pk"
    distinct: bool = False
    where: tuple[str, str] | None = None


def _per_month(queryset, moment: str, months: list[Month], **counts: Counted) -> dict[str, dict]:
    """{"2026-11": {name: n, …}}, a count per month of `moment`'s local date: one query of
    conditional counts, one per month and name (a month's bounds compared as they are indexed;
    TruncMonth would call a Python function for every row on SQLite, five times slower at a
    million contacts).

    The ORM builds only the rows (`queryset`'s filters, the fields counted); the counts around
    them are written here: as ORM aggregates with a filter each, building the query took ten
    times longer than running it (24 of them per figure, 40 ms on a loaded machine)."""
    fields = {"v0": moment}
    for counted in counts.values():
        for name in (counted.field, counted.where[0] if counted.where else None):
            if name and name not in fields.values():
                fields[f"v{len(fields)}"] = name
    alias = {name: f'"{key}"' for key, name in fields.items()}
    rows_sql, rows_params = (
        queryset.order_by().values(**{k: F(v) for k, v in fields.items()}).query.sql_with_params()
    )
    filter_clause = connection.features.supports_aggregate_filter_clause
    select: list[str] = []
    params: list = []
    for month in months:
        bounds = [connection.ops.adapt_datetimefield_value(m) for m in (month.start, month.end)]
        for counted in counts.values():
            condition = '"v0" >= %s AND "v0" < %s'
            params += bounds
            if counted.where:
                condition += f" AND {alias[counted.where[0]]} = %s"
                params.append(str(counted.where[1]))
            distinct = "DISTINCT " if counted.distinct else ""
            value = alias[counted.field]
            select.append(
                f"COUNT({distinct}{value}) FILTER (WHERE {condition})"
                if filter_clause
                else f"COUNT({distinct}CASE WHEN {condition} THEN {value} END)"
            )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(select)} FROM ({rows_sql}) counted_rows", [*params, *rows_params]
        )
        found = cursor.fetchone()
    names = list(counts)
    return {
        str(month): {name: found[i * len(names) + j] or 0 for j, name in enumerate(names)}
        for i, month in enumerate(months)
    }


def _chart_by_month(months: list[Month], rows: list[list], series: list[str], keys: list[str]):
    return Chart(
        categories=[str(m) for m in months],
        series=series,
        values=[list(row[1 : 1 + len(series)]) for row in rows],
        columns=True,
        keys=keys,
    )


def _summary(title: str, rows: list[list], columns: list[str]) -> str:
    """A sentence or two a screen reader reads instead of the chart: the totals."""
    totals = [
        f"{columns[i]}: {sum(row[i] for row in rows if isinstance(row[i], int))}"
        for i in range(1, len(columns))
        if rows and isinstance(rows[0][i], int)
    ]
    return f"{title}. " + _("Totals over the period: %(totals)s.") % {"totals": "; ".join(totals)}


def _contact_counts(msc_ids: list[int], months: list[Month]):
    """The kept data-contact counts of the MSCs over the months (safar.helpdesk.contact_counts:
    exact, recounted in the transaction of every contact write), summed over the MSCs."""
    return ContactCount.objects.filter(
        msc_id__in=msc_ids,
        month__gte=months[0].first_day,
        month__lte=months[-1].first_day,
        data=True,
    ).order_by()


def contacts(msc_ids: list[int], months: list[Month]) -> Figure:
    # Those about entry bans: the data contacts filed under an entry-ban category, each once
    # however many of them it is filed under (the counts' entry-ban group).
    found: dict[tuple[str, str], int] = {}
    for month, group, n in (
        _contact_counts(msc_ids, months)
        .filter(group__in=[ContactCount.ALL, ENTRY_BANS])
        .values_list("month", "group")
        .annotate(n=Sum("n"))
    ):
        key = "contacts" if group == ContactCount.ALL else "bans"
        found[(f"{month:%Y-%m}", key)] = n
    rows = []
    for month in months:
        total = found.get((str(month), "contacts"), 0)
        bans = found.get((str(month), "bans"), 0)
        share = round(100 * bans / total, 1) if total else 0.0
        rows.append([str(month), total, bans, share])
    columns = [
        _("month"),
        _("data contacts"),
        _("about entry bans"),
        _("share about entry bans, %"),
    ]
    title = _("Contacts per month, and those about entry bans")
    return Figure(
        "contacts",
        title,
        columns,
        rows,
        [False, True, True, True],
        _chart_by_month(months, rows, columns[1:3], ["contacts", "entry_ban"]),
        _summary(title, rows, columns[:3]),
    )


def categories(msc_ids: list[int], months: list[Month]) -> Figure:
    """Data contacts of the period per category group (a contact counts once in each)."""
    links = (
        _contact_counts(msc_ids, months)
        .exclude(group=ContactCount.ALL)
        .values_list("group")
        .annotate(n=Sum("n"))
    )
    names = {c.code: c.name for c in Category.objects.filter(parent__isnull=True)}
    rows = sorted(
        (
            [names.get(group, group) if group != ContactCount.NO_GROUP else _("not stated"), n]
            for group, n in links
        ),
        key=lambda row: -row[1],
    )
    title = _("Data contacts by category")
    columns = [_("category"), _("contacts")]
    chart = Chart(
        categories=[row[0] for row in rows],
        series=[columns[1]],
        values=[[row[1]] for row in rows],
        keys=["contacts"],
    )
    return Figure(
        "categories", title, columns, rows, [False, True], chart, _summary(title, rows, columns)
    )


def cases(msc_ids: list[int], months: list[Month]) -> Figure:
    start, end = months[0].start, months[-1].end
    opened = _per_month(
        Case.objects.filter(msc_id__in=msc_ids, opened_at__gte=start, opened_at__lt=end),
        "opened_at",
        months,
        n=Counted(),
    )
    closed = _per_month(
        CaseEvent.objects.filter(
            case__msc_id__in=msc_ids,
            kind=CaseEvent.Kind.STATUS,
            to_status=Case.Status.CLOSED,
            at__gte=start,
            at__lt=end,
        ),
        "at",
        months,
        n=Counted("case_id", distinct=True),
    )
    rows = [[str(m), opened[str(m)]["n"], closed[str(m)]["n"]] for m in months]
    title = _("Cases opened and closed per month")
    columns = [_("month"), _("opened"), _("closed")]
    return Figure(
        "cases",
        title,
        columns,
        rows,
        [False, True, True],
        _chart_by_month(months, rows, columns[1:], ["opened", "closed"]),
        _summary(title, rows, columns),
    )


def referrals(msc_ids: list[int], months: list[Month]) -> Figure:
    """Referrals completed (done) and rejected per month, by when that happened (the
    referral's finished_at, which both set): from the referrals, far fewer than their events."""

    found = _per_month(
        Referral.objects.filter(
            case__msc_id__in=msc_ids,
            finished_at__gte=months[0].start,
            finished_at__lt=months[-1].end,
        ),
        "finished_at",
        months,
        done=Counted(where=("status", Referral.Status.DONE)),
        rejected=Counted(where=("status", Referral.Status.REJECTED)),
    )
    rows = [[str(m), found[str(m)]["done"], found[str(m)]["rejected"]] for m in months]
    title = _("Referrals completed and rejected per month")
    columns = [_("month"), _("completed"), _("rejected")]
    return Figure(
        "referrals",
        title,
        columns,
        rows,
        [False, True, True],
        _chart_by_month(months, rows, columns[1:], ["done", "rejected"]),
        _summary(title, rows, columns),
    )


def services(msc_ids: list[int], months: list[Month]) -> Figure:
    found = (
        Service.objects.filter(
            case__msc_id__in=msc_ids,
            given_on__gte=months[0].first_day,
            given_on__lte=months[-1].last_day,
        )
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    labels = dict(Service.Kind.choices)
    rows = sorted(([str(labels.get(k, k)), n] for k, n in found), key=lambda row: -row[1])
    title = _("Services given, by type")
    columns = [_("service"), _("services")]
    chart = Chart(
        categories=[row[0] for row in rows],
        series=[columns[1]],
        values=[[row[1]] for row in rows],
        keys=["services"],
    )
    return Figure(
        "services", title, columns, rows, [False, True], chart, _summary(title, rows, columns)
    )


def sessions(msc_ids: list[int], months: list[Month]) -> Figure:
    """People reached by the outreach sessions, by sex and district."""
    from safar.outreach.models import Session

    found = (
        Session.objects.filter(org_id__in=msc_ids)
        .held_between(months[0].first_day, months[-1].last_day)
        .values_list("district_id")
        .annotate(f=Sum("participants_f"), m=Sum("participants_m"))
        .order_by()
    )
    names = {d.code: d.name for d in District.objects.filter(pk__in=[r[0] for r in found if r[0]])}
    reached: list[tuple[str, int, int]] = sorted(
        (
            (str(names.get(d, d)) if d else _("not stated"), int(f or 0), int(m or 0))
            for d, f, m in found
        ),
        key=lambda row: -(row[1] + row[2]),
    )
    rows: list[list] = [list(row) for row in reached]
    title = _("People reached by sessions, by sex and district")
    columns = [_("district or city"), _("women"), _("men")]
    chart = Chart(
        categories=[name for name, _f, _m in reached],
        series=columns[1:],
        values=[[women, men] for _n, women, men in reached],
        keys=["F", "M"],
    )
    return Figure(
        "sessions", title, columns, rows, [False, True, True], chart, _summary(title, rows, columns)
    )


def trainings(msc_ids: list[int], months: list[Month]) -> Figure:
    """The average knowledge gain per topic of the trainings that ended in the period."""
    from safar.outreach.models import Score, TopicGain

    gains = TopicGain.of(
        Score.objects.filter(
            trainee__training__org_id__in=msc_ids,
            trainee__training__ends_on__gte=months[0].first_day,
            trainee__training__ends_on__lte=months[-1].last_day,
        )
    )
    rows: list[list] = [
        [g.name, g.trainees, round(g.before_pct, 1), round(g.after_pct, 1), g.gain_pct]
        for g in gains
    ]
    title = _("Training: knowledge before and after, per topic")
    columns = [
        _("topic"),
        _("trainees"),
        _("right before, %"),
        _("right after, %"),
        _("gain, points"),
    ]
    chart = Chart(
        categories=[g.name for g in gains],
        series=columns[2:4],
        values=[[round(g.before_pct), round(g.after_pct)] for g in gains],
        keys=["before", "after"],
    )
    return Figure(
        "trainings",
        title,
        columns,
        rows,
        [False, True, True, True, True],
        chart,
        _summary(title, rows, columns[:2]),
    )


FIGURES: dict[str, Callable[[list[int], list[Month]], Figure]] = {
    "contacts": contacts,
    "categories": categories,
    "cases": cases,
    "referrals": referrals,
    "services": services,
    "sessions": sessions,
    "trainings": trainings,
}


# --- reporting completeness -------------------------------------------------------------------

STATUS_ON_TIME = "on_time"
STATUS_LATE = "late"
STATUS_MISSING = "missing"  # not submitted and the deadline has passed
STATUS_NOT_DUE = "not_due"  # not submitted, the deadline still ahead

TIMELINESS = {
    STATUS_ON_TIME: gettext_lazy("on time"),
    STATUS_LATE: gettext_lazy("late"),
    STATUS_MISSING: gettext_lazy("not submitted, overdue"),
    STATUS_NOT_DUE: gettext_lazy("not submitted yet"),
}


def deadline_of(month: Month) -> datetime.datetime:
    """The end of the deadline day (SAFAR_REPORT_DEADLINE_DAY of the next month), Dushanbe."""
    day = month.next.first_day.replace(day=settings.SAFAR_REPORT_DEADLINE_DAY)
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), LOCAL)


def completeness(mscs: list[Office], month: Month, now: datetime.datetime) -> Figure:
    """Each MSC's report of `month`: its status, when it was first submitted, on time or late.
    On time means first submitted by the deadline (a return and resubmission does not make it
    late)."""
    reports = {
        r.msc_id: r
        for r in MonthlyReport.objects.filter(month=month.first_day, msc__in=mscs).annotate(
            first_submitted=Min("events__at", filter=Q(events__action="submit"))
        )
    }
    deadline = deadline_of(month)
    labels = dict(MonthlyReport.Status.choices)
    rows, codes = [], {}
    for msc in mscs:
        report = reports.get(msc.pk)
        submitted = report.first_submitted if report else None
        if submitted is not None:
            timeliness = STATUS_ON_TIME if submitted < deadline else STATUS_LATE
        else:
            timeliness = STATUS_MISSING if now >= deadline else STATUS_NOT_DUE
        codes[msc.code] = timeliness
        status = report.status if report else MonthlyReport.Status.DRAFT
        rows.append(
            [
                msc.code,
                str(labels[status]),
                submitted.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if submitted else "",
                str(TIMELINESS[timeliness]),
            ]
        )
    title = _("Reporting completeness")
    columns = [_("Migrant Support Centre"), _("status"), _("first submitted"), _("on time or late")]
    figure = Figure("completeness", title, columns, rows, [False] * 4)
    figure.extra = {
        "deadline": month.next.first_day.replace(day=settings.SAFAR_REPORT_DEADLINE_DAY),
        "timeliness": codes,
        "submitted": sum(1 for row in rows if row[2]),
    }
    return figure
