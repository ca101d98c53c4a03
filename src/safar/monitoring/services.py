"""The monthly report's workflow steps, its hand-typed figures and the difference between its
versions. Each step runs in one transaction with its event (nothing half-written)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from safar.core.models import Office

from .access import can_submit
from .figures import TABLES, Month, compute_all
from .models import TYPED_FIGURES, MonthlyReport, MonthlyReportEvent, MonthlyReportVersion

ACTIONS = ("submit", "return_report", "accept", "reopen")
NEEDS_COMMENT = {"return_report", "reopen"}
MAX_COMMENT = 2000
MAX_TYPED = 10**9


class ReportError(Exception):
    def __init__(self, message: str, *, field: str = "action") -> None:
        super().__init__(message)
        self.message, self.field = message, field


def report_for(msc: Office, month: Month) -> MonthlyReport:
    report, _created = MonthlyReport.objects.get_or_create(msc=msc, month=month.first_day)
    return report


def live_tables(msc: Office, month: Month) -> dict[str, dict]:
    """Every table computed now from the records: {"M01": {"columns": […], "rows": […]}, …}."""
    rows = compute_all([msc], month)
    return {code: {"columns": list(TABLES[code].columns), "rows": rows[code]} for code in TABLES}


def shown_tables(report: MonthlyReport) -> tuple[dict[str, dict], MonthlyReportVersion | None]:
    """What the report says: its frozen latest version once submitted (submitted, accepted),
    the records as they are now while it is with the MSC (draft, returned)."""
    if not report.is_editable:
        version = report.latest_version()
        if version is not None:
            return version.tables, version
    return live_tables(report.msc, Month.of(report.month)), None


def clean_typed(values: dict[str, str]) -> dict[str, int]:
    """The typed figures as whole numbers ≥ 0; blanks left out; an error names the figure."""
    cleaned: dict[str, int] = {}
    for name, text in values.items():
        if name not in TYPED_FIGURES:
            raise ReportError(_("Unknown figure: %(name)s.") % {"name": name[:40]}, field=name)
        text = str(text).strip()
        if text == "":
            continue
        if not text.isascii() or not text.isdigit() or int(text) > MAX_TYPED:
            raise ReportError(_("Give a whole number, 0 or more."), field=name)
        cleaned[name] = int(text)
    return cleaned


@transaction.atomic
def save_typed(report: MonthlyReport, values: dict[str, str], user) -> None:
    if not can_submit(user, report.msc):
        raise ReportError(_("You may not change this report."))
    if not report.is_editable:
        raise ReportError(_("This report is with the coordinator or accepted: it cannot change."))
    report.typed = clean_typed(values)
    report.save(update_fields=["typed", "updated_at"])
    _event(report, user, "save_figures", report.status, "")


def _event(report: MonthlyReport, user, action: str, before: str, comment: str):
    return MonthlyReportEvent.objects.create(
        report=report,
        user=user,
        action=action,
        from_status=before,
        to_status=report.status,
        comment=comment,
    )


@transaction.atomic
def advance(report: MonthlyReport, action: str, user, comment: str = "") -> MonthlyReportEvent:
    """Take the workflow step `action` as `user`. Submitting freezes a new version."""
    if action not in ACTIONS:
        raise ReportError(_("Unknown step: %(action)s.") % {"action": action[:40]})
    comment = comment.strip()
    if action in NEEDS_COMMENT and not comment:
        raise ReportError(_("Say why in a comment."), field="comment")
    if len(comment) > MAX_COMMENT:
        raise ReportError(
            _("A comment is at most %(n)d characters.") % {"n": MAX_COMMENT}, field="comment"
        )
    method = getattr(report, action)
    if not can_proceed(method):
        raise ReportError(
            _("This step is not possible while the report is “%(status)s”.")
            % {"status": report.get_status_display()}
        )
    if not has_transition_perm(method, user):
        raise ReportError(_("You may not take this step."))
    if action == "submit" and not can_submit(user, report.msc):
        raise ReportError(_("Only the head of this MSC submits its report."))
    before = report.status
    method()
    try:
        report.save()
    except ConcurrentTransition as exc:
        raise ReportError(
            _("Someone else changed this report meanwhile; open it again to see what changed.")
        ) from exc
    if action == "submit":
        number = (
            report.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        MonthlyReportVersion.objects.create(
            report=report,
            number=number,
            tables=live_tables(report.msc, Month.of(report.month)),
            typed=dict(report.typed),
            submitted_by=user,
        )
    return _event(report, user, action, before, comment)


def available_actions(report: MonthlyReport, user) -> list[str]:
    """The steps the user may take on the report now."""
    found = []
    for action in ACTIONS:
        method = getattr(report, action)
        if not can_proceed(method) or not has_transition_perm(method, user):
            continue
        if action == "submit" and not can_submit(user, report.msc):
            continue
        found.append(action)
    return found


# --- the difference between versions ---------------------------------------------------------


@dataclass(frozen=True)
class Change:
    table: str
    row: str
    column: str
    before: int
    after: int


def figures_of(tables: dict[str, dict], typed: dict[str, int]) -> dict[tuple[str, str, str], int]:
    """Every figure of a version by (table, row key, count column); the row key is its naming
    values joined by "|" (as in the DHIS2 mapping)."""
    figures: dict[tuple[str, str, str], int] = {}
    for code, table in tables.items():
        spec = TABLES.get(code)
        if spec is None:
            continue
        width = len(spec.key_columns)
        for row in table["rows"]:
            key = "|".join(str(v) for v in row[:width])
            for column, value in zip(spec.count_columns, row[width:], strict=True):
                figures[(code, key, column)] = int(value)
    for name, value in typed.items():
        figures[("typed", name, "value")] = int(value)
    return figures


def differences(before: MonthlyReportVersion, after: MonthlyReportVersion) -> list[Change]:
    """The figures that changed from one version to the next (a figure missing is 0)."""
    old = figures_of(before.tables, before.typed)
    new = figures_of(after.tables, after.typed)
    return [
        Change(table, row, column, old.get(key, 0), new.get(key, 0))
        for key in sorted(old.keys() | new.keys())
        for table, row, column in [key]
        if old.get(key, 0) != new.get(key, 0)
    ]
