"""The MSCs' monthly reports, their workflow and versions, and the mapping of their figures to
DHIS2.

The workflow follows DHIS2's data approval:

    draft ─submit→ submitted ─accept→ accepted (locked)
      ↑               │                   │
      └── returned ←──┘ (comment)          └─reopen (reason)→ draft

The MSC head (the helpdesk supervisor) submits their own centre's report; the coordinator returns
it with a comment or accepts it. An accepted report is locked: nothing in it changes, and only
the coordinator may reopen it, with a reason, for a correction. Each submission freezes every
table and the hand-typed figures as a `MonthlyReportVersion`, so what was accepted (and sent to
DHIS2) is what the coordinator saw, whatever the records say later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from safar.core.models import Office

# The figures typed by hand, by name (everything else is computed from the records).
TYPED_FIGURES = {
    "radio_listeners": _("radio listeners reached"),
    "tv_viewers": _("television viewers reached"),
    "booklets": _("booklets handed out"),
    "flyers": _("flyers handed out"),
}


class MonthlyReport(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        ACCEPTED = "accepted", _("accepted")

    msc = models.ForeignKey(
        Office,
        verbose_name=_("Migrant Support Centre"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Office.Kind.MSC},
    )
    # The first day of the month reported on.
    month = models.DateField(_("month"))
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    typed = models.JSONField(_("figures typed by hand"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["-month", "msc__code"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        permissions = [
            ("submit_monthlyreport", _("Can submit the monthly report of one's MSC")),
            ("review_monthlyreport", _("Can return, accept and reopen monthly reports")),
            ("send_to_dhis2", _("Can export and send accepted reports to DHIS2")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["msc", "month"], name="monitoring_one_report_a_month"),
            models.CheckConstraint(
                condition=Q(month__day=1), name="monitoring_report_month_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.msc.code} {self.month:%Y-%m}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.ACCEPTED

    @property
    def is_editable(self) -> bool:
        """The MSC may change its typed figures while the report is with it."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @transition(
        field=status,
        source=[Status.DRAFT, Status.RETURNED],
        target=Status.SUBMITTED,
        permission="monitoring.submit_monthlyreport",
    )
    def submit(self) -> None:
        """The MSC head sends the report to the centre."""

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.RETURNED,
        permission="monitoring.review_monthlyreport",
    )
    def return_report(self) -> None:
        """The coordinator sends it back with a comment."""

    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.ACCEPTED,
        permission="monitoring.review_monthlyreport",
    )
    def accept(self) -> None:
        """The coordinator accepts it: it is locked."""

    @transition(
        field=status,
        source=Status.ACCEPTED,
        target=Status.DRAFT,
        permission="monitoring.review_monthlyreport",
    )
    def reopen(self) -> None:
        """The coordinator unlocks an accepted report for a correction, with a reason."""

    def latest_version(self) -> MonthlyReportVersion | None:
        return self.versions.order_by("-number").first()


class MonthlyReportVersion(models.Model):
    """Every table and typed figure of a report as it was submitted (frozen)."""

    report = models.ForeignKey(
        MonthlyReport,
        verbose_name=_("monthly report"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveSmallIntegerField(_("version"))
    # {"M01": {"columns": […], "rows": [[…], …]}, …}
    tables = models.JSONField(_("tables"))
    typed = models.JSONField(_("figures typed by hand"), default=dict)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["report", "number"]
        verbose_name = _("monthly report version")
        verbose_name_plural = _("monthly report versions")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "number"], name="monitoring_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class MonthlyReportEvent(models.Model):
    """One step of a report's workflow, with its comment (a return's, a reopening's reason)."""

    report = models.ForeignKey(
        MonthlyReport,
        verbose_name=_("monthly report"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("monthly report event")
        verbose_name_plural = _("monthly report events")

    def __str__(self) -> str:
        return f"{self.report} {self.action}"


# --- DHIS2 ------------------------------------------------------------------------------------


class Dhis2DataSet(models.Model):
    """The DHIS2 data set the monthly figures are reported in, by its code."""

    code = models.CharField(_("data set code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("DHIS2 data set")
        verbose_name_plural = _("DHIS2 data sets")

    def __str__(self) -> str:
        return self.code


class Dhis2OrgUnit(models.Model):
    """An MSC's organisation unit in DHIS2, by its code."""

    msc = models.OneToOneField(
        Office,
        verbose_name=_("Migrant Support Centre"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"kind": Office.Kind.MSC},
    )
    code = models.CharField(_("org unit code"), max_length=50)

    class Meta:
        ordering = ["msc__code"]
        verbose_name = _("DHIS2 org unit")
        verbose_name_plural = _("DHIS2 org units")

    def __str__(self) -> str:
        return f"{self.msc.code} → {self.code}"


class Dhis2Indicator(models.Model):
    """One figure of the monthly report mapped to a DHIS2 data element and category option
    combo: the table (M01 … M12, or "typed" for a figure typed by hand), the row's key (its
    naming values joined by "|", e.g. "phone|F"; the figure's name for a typed one; "" for M12)
    and the count column ("contacts", "opened", …; "value" for a typed figure)."""

    data_set = models.ForeignKey(
        Dhis2DataSet,
        verbose_name=_("data set"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    table = models.CharField(_("table"), max_length=8)
    row = models.CharField(_("row"), max_length=200, blank=True)
    column = models.CharField(_("column"), max_length=30)
    data_element = models.CharField(_("data element code"), max_length=50)
    category_option_combo = models.CharField(
        _("category option combo code"), max_length=50, blank=True
    )

    class Meta:
        ordering = ["data_set", "table", "row", "column"]
        verbose_name = _("DHIS2 indicator mapping")
        verbose_name_plural = _("DHIS2 indicator mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["data_set", "table", "row", "column"],
                name="monitoring_one_mapping_per_figure",
            )
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.row} {self.column} → {self.data_element}"


class Dhis2SendLog(models.Model):
    """One sending of a month's figures to a DHIS2 server, with its import summary."""

    at = models.DateTimeField(_("sent"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    url = models.CharField(_("server"), max_length=300)
    month = models.DateField(_("month"))
    data_set = models.CharField(_("data set code"), max_length=50)
    org_units = models.JSONField(_("org units"), default=list)
    dry_run = models.BooleanField(_("dry run"), default=False)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True)
    status = models.CharField(_("import status"), max_length=20, blank=True)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    ignored = models.PositiveIntegerField(_("ignored"), default=0)
    deleted = models.PositiveIntegerField(_("deleted"), default=0)
    conflicts = models.JSONField(_("conflicts"), default=list)
    completed = models.BooleanField(_("data set marked complete"), default=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("DHIS2 send log entry")
        verbose_name_plural = _("DHIS2 send log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.month:%Y-%m} {self.status}"
