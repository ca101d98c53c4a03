"""The helpdesk API for services and referrals (attached to the helpdesk router, so in the same
OpenAPI document under the tag `helpdesk`):

- `POST /api/helpdesk/cases/{id}/services` records a service given in a case;
- `POST /api/helpdesk/cases/{id}/referrals` sends a referral (consent, or a supervisor's reason);
- `GET /api/helpdesk/referrals?status=` lists the referrals the user may see: a partner
  organisation's staff those sent to it, with only what each shares; MSC staff their cases';
- `POST /api/helpdesk/referrals/{id}/answer` `{"action": "accept|reject|complete|revoke", "text"}`.

Its own sign-in check: partner organisations, who may not use the contacts endpoints, reach
these. A body with errors is a 400 naming the fields, and nothing is written.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Path, Query, Router, Schema, Status

from safar.core.api import ERRORS, ApiError, user_auth
from safar.core.models import AuditEvent, Office
from safar.core.sensitive import visible_values

from .access import can_see_referrals
from .case_services import CaseWorkInvalid, record_service
from .models import Case, Referral, Service
from .models.cases import PARTNER_KINDS
from .referrals import shared_view
from .workflow import MAX_COMMENT, WorkflowError, answer_referral, send_referral

router = Router(
    tags=["helpdesk"],
    auth=user_auth(can_see_referrals, gettext_lazy("You may not read referrals.")),
)

LIST_LIMIT = 1000
# Ids are database integers: a larger one is no row (and would overflow SQLite's integers).
MAX_ID = 2**31 - 1

ServiceKind = Literal["legal", "psychological", "documents", "mediation", "school", "other"]
ShareItem = Literal["contact", "identity", "family", "summary", "assessment", "documents"]
ReferralStatus = Literal["sent", "accepted", "rejected", "done", "revoked"]
STATUS_QUERY = Query(None, description="Only the referrals in this status.")


class ServiceIn(Schema):
    kind: ServiceKind
    given_on: datetime.date = Field(..., description="YYYY-MM-DD; not in the future.")
    person: int | None = Field(
        None, ge=1, le=MAX_ID, description="The id of one of the case's people."
    )
    notes: str = Field("", max_length=5000)


class ServiceOut(Schema):
    id: int
    case: str
    kind: str
    given_on: str
    person: int | None
    given_by: str
    notes: str | None  # None: withheld from a user without helpdesk.view_case_sensitive


class ReferralIn(Schema):
    partner: str = Field(..., max_length=16, examples=["IOM-MOW"])
    reason: str = Field(..., max_length=MAX_COMMENT, description="What is asked of the partner.")
    shared: list[ShareItem] = Field([], max_length=6)
    consent: bool = Field(..., description="The client agreed to the referral and the sharing.")
    consent_note: str = Field(
        "", max_length=500, description="Without consent: the supervisor's reason."
    )


class ReferralOut(Schema):
    id: int
    case: str
    msc: str
    partner: str
    status: str
    reason: str | None
    consent: str
    consent_note: str | None  # the MSC's only
    shared: list[str]
    sent_at: str
    answered_at: str | None
    finished_at: str | None
    rejection_reason: str
    feedback: str
    client: dict  # what the referral shares of the case (nothing once revoked)


class ReferralList(Schema):
    count: int
    truncated: bool
    referrals: list[ReferralOut]


class AnswerIn(Schema):
    action: Literal["accept", "reject", "complete", "revoke"]
    text: str = Field(
        "", max_length=MAX_COMMENT, description="The reason for rejecting, or what came back."
    )


def _time(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def service_json(service: Service, user) -> dict:
    return visible_values(
        Service,
        {
            "id": service.pk,
            "case": service.case.number,
            "kind": service.kind,
            "given_on": service.given_on.isoformat(),
            "person": service.person_id,
            "given_by": service.given_by.username,
            "notes": service.notes,
        },
        user,
    )


def referral_json(referral: Referral, user) -> dict:
    """A referral as the API gives it; the partner's staff get the client only as shared, and
    neither the request nor the consent reason once the referral is revoked."""
    # MSC staff read referrals only of their own cases (Referral.objects.visible_to).
    msc_side = user.has_perm("helpdesk.view_case")
    revoked = referral.status == Referral.Status.REVOKED
    return {
        "id": referral.pk,
        "case": referral.case.number,
        "msc": referral.case.msc.code,
        "partner": referral.partner.code,
        "status": referral.status,
        "reason": referral.reason if msc_side or not revoked else None,
        "consent": referral.consent,
        "consent_note": referral.consent_note if msc_side else None,
        "shared": list(referral.shared),
        "sent_at": _time(referral.sent_at),
        "answered_at": _time(referral.answered_at),
        "finished_at": _time(referral.finished_at),
        "rejection_reason": referral.rejection_reason,
        "feedback": referral.feedback,
        "client": shared_view(referral),
    }


def _case(request: HttpRequest, case_id: int) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related("msc"), pk=case_id
    )


def _invalid(fields: dict[str, list[str]]) -> ApiError:
    return ApiError(400, "invalid", _("The request has errors."), fields)


@router.post(
    "/helpdesk/cases/{case_id}/services",
    response={201: ServiceOut, **ERRORS},
    url_name="helpdesk_case_services",
)
def create_service(
    request: HttpRequest, payload: ServiceIn, case_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Record a service given in a case of the user's MSC (the date neither in the future nor
    before the case was opened; `person` one of the case's people)."""
    if not request.user.has_perm("helpdesk.add_service"):
        raise ApiError(403, "forbidden", _("You may not record services."))
    case = _case(request, case_id)
    try:
        service = record_service(
            case,
            request.user,
            kind=payload.kind,
            given_on=payload.given_on,
            person=payload.person,
            notes=payload.notes,
        )
    except CaseWorkInvalid as exc:
        raise _invalid(exc.fields) from None
    return Status(201, service_json(service, request.user))


@router.post(
    "/helpdesk/cases/{case_id}/referrals",
    response={201: ReferralOut, **ERRORS},
    url_name="helpdesk_case_referrals",
)
def create_referral(
    request: HttpRequest, payload: ReferralIn, case_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Refer a case to a partner organisation. Without the client's consent only a supervisor
    may, with `consent_note` saying why."""
    if not request.user.has_perm("helpdesk.add_referral"):
        raise ApiError(403, "forbidden", _("You may not send referrals."))
    case = _case(request, case_id)
    partner = Office.objects.filter(
        kind__in=PARTNER_KINDS, code=payload.partner.strip().upper().replace("\x00", "")
    ).first()
    if partner is None:
        raise _invalid({"partner": [_("Not an organisation that takes referrals.")]})
    try:
        referral = send_referral(
            case,
            partner=partner,
            reason=payload.reason.replace("\x00", ""),
            shared=payload.shared,
            consent=payload.consent,
            override_reason=payload.consent_note.replace("\x00", ""),
            user=request.user,
        )
    except WorkflowError as exc:
        raise _invalid({exc.field: [exc.message]}) from None
    return Status(201, referral_json(referral, request.user))


@router.get(
    "/helpdesk/referrals", response={200: ReferralList, **ERRORS}, url_name="helpdesk_referrals"
)
def list_referrals(request: HttpRequest, status: ReferralStatus | None = STATUS_QUERY):
    """The referrals the user may see, newest first (at most 1,000): a partner's staff those
    sent to their organisation, each with only what it shares."""
    found = Referral.objects.visible_to(request.user)
    if status:
        found = found.filter(status=status)
    rows = list(
        found.select_related("case__msc", "partner").prefetch_related(
            "case__people", "case__categories", "case__documents"
        )[: LIST_LIMIT + 1]
    )
    AuditEvent.record(
        user=request.user,
        action=AuditEvent.Action.SEARCH,
        object_type="helpdesk.referral",
        query={"status": status or "", "found": min(len(rows), LIST_LIMIT)},
    )
    return {
        "count": min(len(rows), LIST_LIMIT),
        "truncated": len(rows) > LIST_LIMIT,
        "referrals": [referral_json(r, request.user) for r in rows[:LIST_LIMIT]],
    }


@router.post(
    "/helpdesk/referrals/{referral_id}/answer",
    response={200: ReferralOut, **ERRORS},
    url_name="helpdesk_referral_answer",
)
def answer(request: HttpRequest, payload: AnswerIn, referral_id: int = Path(..., ge=1, le=MAX_ID)):
    """The partner accepts, rejects (`text`: the reason) or completes (`text`: what came back)
    a referral sent to it; the MSC revokes one. Another organisation's referral is a 404."""
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("case__msc", "partner"),
        pk=referral_id,
    )
    # The MSC revokes; the partner answers (workflow.answer_referral checks it again).
    needed = (
        "helpdesk.change_referral" if payload.action == "revoke" else "helpdesk.answer_referral"
    )
    if not request.user.has_perm(needed):
        raise ApiError(403, "forbidden", _("You may not take this step."))
    try:
        answer_referral(referral, payload.action, request.user, payload.text.replace("\x00", ""))
    except WorkflowError as exc:
        raise _invalid({exc.field: [exc.message]}) from None
    return referral_json(referral, request.user)
