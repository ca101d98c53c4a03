"""Case work at an MSC: a case groups the people it helps, moves through a workflow with the
supervisor's approvals, and records the services given and the referrals sent to partners.

The workflow (IOM Case Management Guidelines; Primero's approvals):

    open → assessment → plan → plan submitted ─approve→ services and referrals → follow-up
                          ↑          └─return (comment)─┘                          │
                          └────────────────── reopen ←── closed ←approve── closure requested

Closing can be requested from any working status (a client who cannot be reached is closed
from the assessment). The supervisor approves or returns a plan and a closure, never their own
request (four eyes). Every change is a `CaseEvent`, from which the timeline is built.

The transitions are django-fsm-2 transitions: the decorator holds the rule (source, target,
permission, conditions) and `safar.helpdesk.workflow.advance` runs one in a transaction, with
its event. Saving a stale case (another user moved it meanwhile) raises ConcurrentTransition.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from safar.core.models import Country, Office
from safar.core.permissions import restrict_to_scope

from .contacts import APP, Caller, Category

# The partner organisations a case can be referred to (Office kinds): the Migration Service,
# embassies, IOM, legal aid, NGOs, employment offices and vocational training centres.
PARTNER_KINDS = (
    Office.Kind.SERVICE,
    Office.Kind.EMBASSY,
    Office.Kind.INTERNATIONAL,
    Office.Kind.LEGAL_AID,
    Office.Kind.NGO,
    Office.Kind.EMPLOYMENT_OFFICE,
    Office.Kind.TRAINING_CENTRE,
    Office.Kind.MINISTRY,
)


def _condition(method: str) -> Callable[[models.Model], bool]:
    """A transition condition that asks the instance's `method` (typed for django-fsm)."""

    def check(instance: models.Model) -> bool:
        return bool(getattr(instance, method)())

    check.__name__ = method
    return check


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseQuerySet:
        """The cases of the MSCs whose cases the user works on. The coordinator, who sees every
        MSC's figures, browses no cases: a single case opens to them only with a stated reason
        (`safar.helpdesk.access.open_case_with_reason`)."""
        if not user.is_authenticated or not user.has_perm("helpdesk.view_case"):
            return self.none()
        return restrict_to_scope(self, user, app=APP, organisation_field="msc")

    def open(self) -> CaseQuerySet:
        # Every status but closed, named: `status IN (…)` is an index range where
        # `NOT status = 'closed'` is not (a consultant's open cases: 56 → 15 ms on SQLite among
        # 12,000 of theirs, safar bench helpdesk).
        return self.filter(status__in=[s for s in Case.Status.values if s != Case.Status.CLOSED])

    def overdue(self, today: datetime.date) -> CaseQuerySet:
        """Open cases whose next follow-up date has passed."""
        return self.open().filter(follow_up_due__lt=today)


class Case(ConcurrentTransitionMixin, models.Model):
    class Type(models.TextChoices):
        MIGRANT = "migrant", _("migrant in difficulty")
        FAMILY = "family", _("family left behind")
        BARRED = "barred", _("citizen barred from Russia")
        TRAFFICKING = "trafficking", _("trafficking or forced labour")
        MISSING = "missing", _("missing migrant")

    class Status(models.TextChoices):
        OPEN = "open", _("opened")
        ASSESSMENT = "assessment", _("assessment")
        PLAN = "plan", _("plan")
        PLAN_SUBMITTED = "plan_submitted", _("plan awaiting approval")
        SERVICES = "services", _("services and referrals")
        FOLLOW_UP = "follow_up", _("follow-up")
        CLOSURE_REQUESTED = "closure_requested", _("closing awaiting approval")
        CLOSED = "closed", _("closed")

    class Closure(models.TextChoices):
        RESOLVED = "resolved", _("resolved")
        PARTLY_RESOLVED = "partly_resolved", _("partly resolved")
        NOT_RESOLVED = "not_resolved", _("not resolved")
        LOST_CONTACT = "lost_contact", _("contact lost")
        WITHDREW = "withdrew", _("the client withdrew")

    class BarredPath(models.TextChoices):
        DOMESTIC_EMPLOYMENT = "domestic_employment", _("employment at home")
        RETRAINING = "retraining", _("vocational retraining")
        ORGANIZED_RECRUITMENT = (
            "organized_recruitment",
            _("organized recruitment to another country"),
        )

    class BarredOutcome(models.TextChoices):
        EMPLOYED = "employed", _("employed")
        IN_TRAINING = "in_training", _("in training")
        DEPARTED = "departed", _("departed to work abroad")
        NO_RESULT = "no_result", _("no result")

    # The statuses in which the consultant works the case (closing may be asked from each).
    WORKING = (Status.OPEN, Status.ASSESSMENT, Status.PLAN, Status.SERVICES, Status.FOLLOW_UP)

    msc = models.ForeignKey(
        Office,
        verbose_name=_("Migrant Support Centre"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Office.Kind.MSC},
    )
    # A reference staff can say on the phone: the centre, the year and a serial, no name.
    number = models.CharField(_("case number"), max_length=32, unique=True, blank=True)
    case_type = models.CharField(_("type of case"), max_length=12, choices=Type.choices)
    status = FSMField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="cases"
    )
    summary = models.CharField(_("what the case is about"), max_length=300)
    assessment = models.TextField(_("assessment"), blank=True)
    plan = models.TextField(_("plan"), blank=True)
    # Sensitive details: read only with helpdesk.view_case_sensitive (see SENSITIVE_FIELDS).
    psychological = models.TextField(_("psychological situation"), blank=True)
    health = models.TextField(_("health"), blank=True)
    trafficking = models.TextField(_("signs of trafficking or forced labour"), blank=True)
    follow_up_due = models.DateField(_("next follow-up"), null=True, blank=True, db_index=True)
    closure = models.CharField(_("result"), max_length=16, choices=Closure.choices, blank=True)
    barred_path = models.CharField(
        _("path offered"), max_length=24, choices=BarredPath.choices, blank=True
    )
    barred_outcome = models.CharField(
        _("outcome for the barred citizen"),
        max_length=12,
        choices=BarredOutcome.choices,
        blank=True,
    )
    # The client's consent to fill the stay calculator from their own crossings in the registry.
    crossings_consent_at = models.DateTimeField(
        _("consent to look up crossings given"), null=True, blank=True
    )
    crossings_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, db_index=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    SENSITIVE_FIELDS = {
        "psychological": "helpdesk.view_case_sensitive",
        "health": "helpdesk.view_case_sensitive",
        "trafficking": "helpdesk.view_case_sensitive",
    }

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("approve_case", _("Can approve or return case plans and closures")),
            (
                "view_case_sensitive",
                _("Can read the psychological, health and trafficking details of a case"),
            ),
            ("override_referral_consent", _("Can send a referral without consent, with a reason")),
            ("look_up_crossings", _("Can fill the stay calculator from a client's crossings")),
            ("open_case_with_reason", _("Can open a case of any MSC, stating a reason")),
            ("view_case_statistics", _("Can see the case figures of every MSC")),
        ]
        indexes = [
            # The cases of MSCs by status opened before a moment, with what M12 counts of
            # them (the follow-up date; closed_at for those closed since): covering, so SQLite
            # reads it instead of every case opened before the month's end by `opened_at`
            # (M12 for all MSCs: about 1.3 s → 0.17 s at 200,000 cases).
            models.Index(
                fields=["msc", "status", "opened_at", "follow_up_due", "closed_at"],
                name="helpdesk_case_report_idx",
            ),
            models.Index(fields=["msc", "follow_up_due"]),
            models.Index(fields=["assigned_to", "status"]),
            # The case figures (safar.helpdesk.statistics): cases by type and status, and the
            # barred citizens by path and outcome, read from the index alone.
            models.Index(
                fields=["msc", "case_type", "status", "barred_path", "barred_outcome"],
                name="helpdesk_case_figures_idx",
            ),
            # The counts above the case list (open, overdue, mine, awaiting approval) read this
            # index alone instead of every case of the MSC (safar bench helpdesk).
            models.Index(
                fields=["msc", "status", "follow_up_due", "assigned_to"],
                name="helpdesk_case_counts_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(barred_outcome="") | Q(case_type="barred"),
                name="helpdesk_case_barred_outcome_only_for_barred",
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="helpdesk_case_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if not self.number:
            # The serial is the row's id, so two centres opening cases at once never clash.
            opened = timezone.localtime(self.opened_at)
            self.number = f"{self.msc.code}-{opened:%Y}-{self.pk:06d}"
            type(self).objects.filter(pk=self.pk).update(number=self.number)

    # --- conditions the transitions check -------------------------------------------------

    def has_assessment(self) -> bool:
        return bool(self.assessment.strip())

    def has_plan(self) -> bool:
        return bool(self.plan.strip())

    def has_follow_up_date(self) -> bool:
        return self.follow_up_due is not None

    def has_closure(self) -> bool:
        """A closure states its result; a barred citizen's case also its outcome."""
        if not self.closure:
            return False
        return self.case_type != self.Type.BARRED or bool(self.barred_outcome)

    # --- the workflow (run through safar.helpdesk.workflow.advance) ---------------------------

    @transition(
        field=status,
        source=Status.OPEN,
        target=Status.ASSESSMENT,
        permission="helpdesk.change_case",
    )
    def start_assessment(self) -> None:
        """Begin assessing the client's situation."""

    @transition(
        field=status,
        source=Status.ASSESSMENT,
        target=Status.PLAN,
        permission="helpdesk.change_case",
        conditions=[_condition("has_assessment")],
    )
    def start_plan(self) -> None:
        """The assessment is written: plan what the centre will do."""

    @transition(
        field=status,
        source=Status.PLAN,
        target=Status.PLAN_SUBMITTED,
        permission="helpdesk.change_case",
        conditions=[_condition("has_plan")],
    )
    def submit_plan(self) -> None:
        """Ask the supervisor to approve the plan."""

    @transition(
        field=status,
        source=Status.PLAN_SUBMITTED,
        target=Status.SERVICES,
        permission="helpdesk.approve_case",
    )
    def approve_plan(self) -> None:
        """The supervisor approves the plan: services and referrals begin."""

    @transition(
        field=status,
        source=Status.PLAN_SUBMITTED,
        target=Status.PLAN,
        permission="helpdesk.approve_case",
    )
    def return_plan(self) -> None:
        """The supervisor returns the plan with a comment."""

    @transition(
        field=status,
        source=Status.SERVICES,
        target=Status.FOLLOW_UP,
        permission="helpdesk.change_case",
        conditions=[_condition("has_follow_up_date")],
    )
    def start_follow_up(self) -> None:
        """The services are given: follow up by the date set."""

    @transition(
        field=status,
        source=list(WORKING),
        target=Status.CLOSURE_REQUESTED,
        permission="helpdesk.change_case",
        conditions=[_condition("has_closure")],
    )
    def request_closure(self) -> None:
        """Ask the supervisor to close the case, with its result."""

    @transition(
        field=status,
        source=Status.CLOSURE_REQUESTED,
        target=Status.CLOSED,
        permission="helpdesk.approve_case",
    )
    def approve_closure(self) -> None:
        self.closed_at = timezone.now()
        self.follow_up_due = None

    @transition(
        field=status,
        source=Status.CLOSURE_REQUESTED,
        target=Status.FOLLOW_UP,
        permission="helpdesk.approve_case",
    )
    def return_closure(self) -> None:
        """The supervisor keeps the case open, with a comment."""

    @transition(
        field=status,
        source=Status.CLOSED,
        target=Status.ASSESSMENT,
        permission="helpdesk.change_case",
    )
    def reopen(self) -> None:
        self.closed_at = None
        self.closure = ""

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def awaits_approval(self) -> bool:
        return self.status in (self.Status.PLAN_SUBMITTED, self.Status.CLOSURE_REQUESTED)

    def is_overdue(self, today: datetime.date) -> bool:
        return not self.is_closed and self.follow_up_due is not None and self.follow_up_due < today


class CasePerson(models.Model):
    """Someone a case is about: the migrant and, for a family left behind, the spouse, the
    children (with whether they are in school) and the parents."""

    class Relation(models.TextChoices):
        MIGRANT = "migrant", _("migrant")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        SIBLING = "sibling", _("brother or sister")
        OTHER = "other", _("other relative")

    class School(models.TextChoices):
        ATTENDING = "attending", _("attends school")
        AT_RISK = "at_risk", _("at risk of leaving school")
        LEFT = "left", _("has left school")
        NOT_OF_AGE = "not_of_age", _("not of school age")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="people"
    )
    relation = models.CharField(_("who"), max_length=10, choices=Relation.choices)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200)
    # The name folded to lower case, for the search before a case is created.
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    sex = models.CharField(
        _("sex"), max_length=1, choices=Caller.Sex.choices, default=Caller.Sex.UNKNOWN
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone number"), max_length=16, blank=True, db_index=True)
    passport = models.CharField(_("passport number"), max_length=20, blank=True, db_index=True)
    school = models.CharField(_("school"), max_length=10, choices=School.choices, blank=True)
    location = models.ForeignKey(
        Country,
        verbose_name=_("where they are"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    caller = models.ForeignKey(
        Caller,
        verbose_name=_("caller"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_people",
    )

    class Meta:
        ordering = ["case", "id"]
        verbose_name = _("person in a case")
        verbose_name_plural = _("people in cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__startswith="+"),
                name="helpdesk_caseperson_phone_e164",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_key = " ".join(self.name.casefold().split())
        self.passport = "".join(self.passport.upper().split())
        super().save(*args, **kwargs)


class CaseNote(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes"
    )
    text = models.TextField(_("note"))
    # A note on the client's psychological state, health or trafficking is sensitive: hidden,
    # with its text, from whoever lacks helpdesk.view_case_sensitive.
    sensitive = models.BooleanField(_("sensitive"), default=False)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT
    )
    written_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["written_at", "id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"{self.case} {self.written_at:%Y-%m-%d}"


def case_document_path(document: CaseDocument, filename: str) -> str:
    # The stored name carries no client name: the case's id and the file's hash.
    return f"cases/{document.case_id}/{document.sha256[:16]}.{document.extension}"


class CaseDocument(models.Model):
    """A file kept with a case (a contract, a court letter, a photo of a passport), stored under
    the data folder like scans and served only through the case's page."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=case_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(max_length=6)
    content_type = models.CharField(max_length=100)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")

    def __str__(self) -> str:
        return self.title


class Service(models.Model):
    """A service the MSC gave in a case, to one of its people."""

    class Kind(models.TextChoices):
        LEGAL = "legal", _("legal consultation")
        PSYCHOLOGICAL = "psychological", _("psychological session")
        DOCUMENTS = "documents", _("help with documents")
        MEDIATION = "mediation", _("family mediation")
        SCHOOL = "school", _("school re-enrolment support")
        OTHER = "other", _("other service")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="services"
    )
    person = models.ForeignKey(
        CasePerson,
        verbose_name=_("given to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    kind = models.CharField(_("service"), max_length=14, choices=Kind.choices)
    given_on = models.DateField(_("date"), db_index=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("given by"), on_delete=models.PROTECT
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    # What was said in a psychological session or a legal consultation stays with those who
    # may read a case's sensitive details.
    SENSITIVE_FIELDS = {"notes": "helpdesk.view_case_sensitive"}

    class Meta:
        ordering = ["given_on", "id"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        # The services of a period with their cases and kinds (M10, the dashboard's services),
        # read from the index alone: without it SQLite walked the services through every case.
        indexes = [
            models.Index(fields=["given_on", "case", "kind"], name="helpdesk_service_period_idx")
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()} {self.given_on}"


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReferralQuerySet:
        """MSC staff: the referrals of the cases they see. A partner organisation's staff: the
        referrals sent to their organisation, and nothing else."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("helpdesk.view_case"):
            return self.filter(case__in=Case.objects.visible_to(user))
        if user.has_perm("helpdesk.answer_referral") and user.office_id is not None:
            return self.filter(partner_id=user.office_id)
        return self.none()


class Referral(ConcurrentTransitionMixin, models.Model):
    """A case referred to a partner organisation, with what the client agreed to share.

    sent → accepted → done, or sent → rejected (with the reason); the MSC may revoke a
    referral that is sent or accepted (the partner then no longer sees the client's data)."""

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        DONE = "done", _("done")
        REVOKED = "revoked", _("revoked")

    class Consent(models.TextChoices):
        GIVEN = "given", _("the client agreed")
        OVERRIDDEN = "overridden", _("sent without consent (supervisor)")

    class Share(models.TextChoices):
        """What the partner may see of the case; the client's consent names each."""

        CONTACT = "contact", _("name and phone number")
        IDENTITY = "identity", _("date of birth and passport")
        FAMILY = "family", _("family members")
        SUMMARY = "summary", _("what the case is about")
        ASSESSMENT = "assessment", _("assessment and plan")
        DOCUMENTS = "documents", _("documents")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="referrals"
    )
    partner = models.ForeignKey(
        Office,
        verbose_name=_("referred to"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
        limit_choices_to={"kind__in": PARTNER_KINDS},
    )
    reason = models.TextField(_("what is asked of the partner"))
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    consent = models.CharField(_("consent"), max_length=10, choices=Consent.choices)
    consent_note = models.CharField(
        _("reason for sending without consent"), max_length=500, blank=True
    )
    shared = models.JSONField(_("shared with the partner"), default=list)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)
    feedback = models.TextField(_("what came back"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        permissions = [
            (
                "answer_referral",
                _("Can accept, reject and complete referrals sent to one's organisation"),
            ),
        ]
        indexes = [models.Index(fields=["partner", "status", "sent_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent="given") | ~Q(consent_note=""),
                name="helpdesk_referral_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.partner.code}"

    def has_rejection_reason(self) -> bool:
        return bool(self.rejection_reason.strip())

    @transition(
        field=status,
        source=Status.SENT,
        target=Status.ACCEPTED,
        permission="helpdesk.answer_referral",
    )
    def accept(self) -> None:
        self.answered_at = timezone.now()

    @transition(
        field=status,
        source=Status.SENT,
        target=Status.REJECTED,
        permission="helpdesk.answer_referral",
        conditions=[_condition("has_rejection_reason")],
    )
    def reject(self) -> None:
        self.answered_at = timezone.now()
        self.finished_at = self.answered_at

    @transition(
        field=status,
        source=Status.ACCEPTED,
        target=Status.DONE,
        permission="helpdesk.answer_referral",
    )
    def complete(self) -> None:
        self.finished_at = timezone.now()

    @transition(
        field=status,
        source=[Status.SENT, Status.ACCEPTED],
        target=Status.REVOKED,
        permission="helpdesk.change_referral",
    )
    def revoke(self) -> None:
        self.finished_at = timezone.now()

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.ACCEPTED)

    def shares(self, item: str) -> bool:
        """Whether the partner may see `item` (a Share value): never once revoked."""
        return self.status != self.Status.REVOKED and item in self.shared


class CaseEvent(models.Model):
    """One step in a case's life: a status change, an approval asked, given or refused, a
    referral's answer, a reassignment, consent recorded, a crossings lookup. The timeline merges
    these with the case's contacts, notes and services."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("case opened")
        STATUS = "status", _("status changed")
        ASSIGNED = "assigned", _("consultant assigned")
        REFERRAL = "referral", _("referral")
        CONSENT = "consent", _("consent recorded")
        CROSSINGS = "crossings", _("crossings looked up")
        DOCUMENT = "document", _("document added")
        COORDINATOR = "coordinator", _("opened by the coordinator")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=12, choices=Kind.choices)
    # The transition's name (approve_plan, reject, …) and the statuses around it.
    action = models.CharField(_("action"), max_length=30, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    referral = models.ForeignKey(
        Referral,
        verbose_name=_("referral"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [
            models.Index(fields=["case", "at"]),
            # Was this case closed before a moment (M12, for every case open at a month's end):
            # one seek of the index instead of reading each of the case's events.
            models.Index(
                fields=["case", "kind", "to_status", "at"], name="helpdesk_caseevent_status_idx"
            ),
            # The closings of a period (the dashboard's cases closed per month, M08).
            models.Index(
                fields=["kind", "to_status", "at", "case"], name="helpdesk_caseevent_closing_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.at:%Y-%m-%d %H:%M} {self.action or self.kind}"
