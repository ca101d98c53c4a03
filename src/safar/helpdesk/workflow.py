"""Moving cases and referrals along their workflows: one transition, one transaction, one event.

The rules of each step (from which status, to which, who, on what condition) are on the models
(`Case`, `Referral`, django-fsm-2 transitions); this module adds what a rule on one row cannot
say: the comment a return needs, the four-eyes rule for approvals, the consent a referral needs,
and the event that the timeline and the audit read. The web pages and the API call these and
show `WorkflowError.message` next to the action."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from safar.core.models import AuditEvent

from .models import Case, CaseEvent, Referral
from .models.cases import PARTNER_KINDS

# The case transitions a person may ask for, by name, and those that need a comment.
CASE_ACTIONS = (
    "start_assessment",
    "start_plan",
    "submit_plan",
    "approve_plan",
    "return_plan",
    "start_follow_up",
    "request_closure",
    "approve_closure",
    "return_closure",
    "reopen",
)
NEEDS_COMMENT = {"return_plan", "return_closure", "reopen"}
# An approval answers a request; who asked may not answer it (four eyes).
APPROVALS = {
    "approve_plan": "submit_plan",
    "return_plan": "submit_plan",
    "approve_closure": "request_closure",
    "return_closure": "request_closure",
}
REFERRAL_ACTIONS = ("accept", "reject", "complete", "revoke")
MAX_COMMENT = 2000


class WorkflowError(Exception):
    """A step that may not be taken now, with the reason in the user's language."""

    def __init__(self, message: str, *, field: str = "action") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def available_actions(case: Case, user) -> list[str]:
    """The case transitions `user` may take now (for the buttons on the case page)."""
    return [
        action
        for action in CASE_ACTIONS
        if has_transition_perm(getattr(case, action), user) and not _own_request(case, action, user)
    ]


def _own_request(case: Case, action: str, user) -> bool:
    request = APPROVALS.get(action)
    if request is None:
        return False
    last = case.events.filter(action=request).order_by("-at", "-id").first()
    return last is not None and last.user_id == user.pk


def _why_not(case: Case, action: str) -> str:
    """The reason a transition's conditions refuse it, for the message."""
    if action == "start_plan" and not case.has_assessment():
        return _("Write the assessment first.")
    if action == "submit_plan" and not case.has_plan():
        return _("Write the plan first.")
    if action == "start_follow_up" and not case.has_follow_up_date():
        return _("Set the date of the next follow-up first.")
    if action == "request_closure" and not case.has_closure():
        if case.case_type == Case.Type.BARRED and case.closure:
            return _("Record the outcome for the barred citizen first.")
        return _("Choose the case's result first.")
    return _("This step is not possible while the case is “%(status)s”.") % {
        "status": case.get_status_display()
    }


@transaction.atomic
def advance(case: Case, action: str, user, comment: str = "") -> CaseEvent:
    """Take the case transition `action` as `user`, with an optional (or required) comment."""
    if action not in CASE_ACTIONS:
        raise WorkflowError(_("Unknown step: %(action)s.") % {"action": action[:40]})
    comment = comment.strip()
    if action in NEEDS_COMMENT and not comment:
        raise WorkflowError(_("Say why in a comment."), field="comment")
    if len(comment) > MAX_COMMENT:
        raise WorkflowError(
            _("A comment is at most %(n)d characters.") % {"n": MAX_COMMENT}, field="comment"
        )
    method = getattr(case, action)
    if not can_proceed(method):
        raise WorkflowError(_why_not(case, action))
    if not has_transition_perm(method, user):
        raise WorkflowError(_("You may not take this step."))
    if _own_request(case, action, user):
        raise WorkflowError(_("Another supervisor must answer your own request."))
    before = case.status
    method()
    try:
        case.save()
    except ConcurrentTransition as exc:
        raise WorkflowError(
            _("Someone else changed this case meanwhile; open it again to see what changed.")
        ) from exc
    return CaseEvent.objects.create(
        case=case,
        user=user,
        kind=CaseEvent.Kind.STATUS,
        action=action,
        from_status=before,
        to_status=case.status,
        comment=comment,
    )


def clean_shared(items: Iterable[str]) -> list[str]:
    """The items a referral shares, in the Share order; an unknown item is an error."""
    items = list(items)
    unknown = [item for item in items if item not in Referral.Share.values]
    if unknown:
        raise WorkflowError(
            _("Unknown items to share: %(items)s.") % {"items": ", ".join(unknown)[:80]},
            field="shared",
        )
    return [value for value in Referral.Share.values if value in items]


@transaction.atomic
def send_referral(
    case: Case,
    *,
    partner,
    reason: str,
    shared: Iterable[str],
    consent: bool,
    override_reason: str = "",
    user,
) -> Referral:
    """Refer the case to a partner. Without the client's consent only a supervisor may send it,
    with a reason; either way what the partner will see is recorded."""
    if not user.has_perm("helpdesk.add_referral"):
        raise WorkflowError(_("You may not send referrals."))
    if case.is_closed:
        raise WorkflowError(_("A closed case sends no referrals; reopen it first."))
    if partner.kind not in PARTNER_KINDS:
        raise WorkflowError(_("This organisation does not take referrals."), field="partner")
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Say what is asked of the partner."), field="reason")
    items = clean_shared(shared)
    override_reason = override_reason.strip()
    if consent:
        override_reason = ""
    elif not user.has_perm("helpdesk.override_referral_consent"):
        raise WorkflowError(
            _("Record the client's consent; only a supervisor may send without it."),
            field="consent",
        )
    elif not override_reason:
        raise WorkflowError(
            _("Say why the referral is sent without the client's consent."), field="consent_note"
        )
    referral = Referral.objects.create(
        case=case,
        partner=partner,
        reason=reason,
        shared=items,
        consent=Referral.Consent.GIVEN if consent else Referral.Consent.OVERRIDDEN,
        consent_note=override_reason,
        sent_by=user,
    )
    CaseEvent.objects.create(
        case=case,
        user=user,
        kind=CaseEvent.Kind.REFERRAL,
        action="send",
        to_status=referral.status,
        referral=referral,
        comment=override_reason,
    )
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.CREATE,
        obj=referral,
        changes={"partner": partner.code, "shared": items, "consent": referral.consent},
    )
    return referral


@transaction.atomic
def answer_referral(referral: Referral, action: str, user, text: str = "") -> CaseEvent:
    """A partner accepts, rejects (with the reason) or completes (with what came back) a
    referral; the MSC revokes one. `text` is the reason, the feedback or the comment."""
    if action not in REFERRAL_ACTIONS:
        raise WorkflowError(_("Unknown step: %(action)s.") % {"action": action[:40]})
    text = text.strip()[:MAX_COMMENT]
    if action == "reject":
        referral.rejection_reason = text
    elif action == "complete":
        referral.feedback = text
    method = getattr(referral, action)
    if not can_proceed(method):
        if action == "reject" and not text:
            raise WorkflowError(_("Say why the referral is rejected."), field="text")
        raise WorkflowError(
            _("This step is not possible while the referral is “%(status)s”.")
            % {"status": referral.get_status_display()}
        )
    if not has_transition_perm(method, user):
        raise WorkflowError(_("You may not take this step."))
    # A partner answers only the referrals sent to its organisation.
    if action != "revoke" and referral.partner_id != user.office_id and not user.is_superuser:
        raise WorkflowError(_("This referral was sent to another organisation."))
    before = referral.status
    method()
    if action in ("accept", "reject"):
        referral.answered_by = user
    try:
        referral.save()
    except ConcurrentTransition as exc:
        raise WorkflowError(
            _("Someone else changed this referral meanwhile; open it again.")
        ) from exc
    return CaseEvent.objects.create(
        case=referral.case,
        user=user,
        kind=CaseEvent.Kind.REFERRAL,
        action=action,
        from_status=before,
        to_status=referral.status,
        referral=referral,
        comment=text,
    )
