"""The cases API, in the helpdesk's part of the OpenAPI document (mounted by `api.py`):

- `POST /api/helpdesk/cases` opens a case with its first person, `GET` lists the cases;
- `GET /api/helpdesk/cases/{id}` one case with its people (the sensitive details only with
  helpdesk.view_case_sensitive: null otherwise);
- `POST /api/helpdesk/cases/{id}/transitions` `{"action", "comment"}` takes a workflow step;
- `POST /api/helpdesk/cases/{id}/people` adds a person.

Consultants and supervisors of an MSC (their own MSC's cases); the coordinator and everyone else
without case work get 403, another MSC's case is a 404. A body with any error is a 400 naming
every bad field and nothing is written. Every read of a case is an audit VIEW.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.db.models import F
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from safar.core.api import ERRORS, ApiError, user_auth
from safar.core.models import AuditEvent
from safar.core.sensitive import visible_values

from . import cases
from .access import can_open_cases, can_view_cases
from .cases import CaseInvalid
from .models import Case, CasePerson
from .services import nul_fields
from .workflow import WorkflowError, advance, available_actions

router = Router(
    tags=["helpdesk"],
    auth=user_auth(can_view_cases, gettext_lazy("You may not work on cases.")),
)

LIST_LIMIT = 1000

CaseType = Literal["migrant", "family", "barred", "trafficking", "missing"]
Relation = Literal["migrant", "spouse", "child", "parent", "sibling", "other"]
School = Literal["", "attending", "at_risk", "left", "not_of_age"]
CaseStatus = Literal[
    "open",
    "assessment",
    "plan",
    "plan_submitted",
    "services",
    "follow_up",
    "closure_requested",
    "closed",
]
# The workflow's steps (workflow.CASE_ACTIONS; a test keeps the two in step).
Action = Literal[
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
]


class PersonIn(Schema):
    relation: Relation
    name: str = Field(..., min_length=1, max_length=200)
    sex: Literal["F", "M", "U"] = "U"
    birth_date: datetime.date | None = Field(None, description="YYYY-MM-DD")
    phone: str = Field("", max_length=40, description="Any usual form; without +country, Tajik.")
    passport: str = Field("", max_length=30)
    school: School = Field("", description="For a child only.")
    location: str = Field("", max_length=3, description="Where they are: ISO 3166-1 alpha-3.")


class CaseIn(Schema):
    msc: str = Field(
        "", max_length=16, examples=["MSC-DU"], description="Left out: the user's own MSC."
    )
    case_type: CaseType
    summary: str = Field(..., min_length=1, max_length=300)
    categories: list[str] = Field([], max_length=20, examples=[["work/wages_unpaid"]])
    assigned_to: str = Field("", max_length=150, description="A username of the centre.")
    contact: int | None = Field(
        None, ge=1, le=2**62, description="The contact the case grows from (it joins the case)."
    )
    person: PersonIn = Field(..., description="The first person: the migrant or the client.")


class TransitionIn(Schema):
    action: Action
    comment: str = Field("", max_length=2000)


class PersonOut(Schema):
    id: int
    relation: str
    name: str
    sex: str
    birth_date: datetime.date | None
    phone: str
    passport: str
    school: str
    location: str | None


class CaseOut(Schema):
    id: int
    number: str
    msc: str
    case_type: str
    status: str
    summary: str
    categories: list[str]
    assigned_to: str | None
    follow_up_due: datetime.date | None
    overdue: bool
    opened_at: str
    closed_at: str | None
    assessment: str
    plan: str
    # None: withheld from a user without helpdesk.view_case_sensitive.
    psychological: str | None
    health: str | None
    trafficking: str | None
    closure: str
    people: list[PersonOut]
    actions: list[str] = Field(description="The workflow steps the user may take now.")


class CaseRow(Schema):
    id: int
    number: str
    msc: str
    case_type: str
    status: str
    assigned_to: str | None
    follow_up_due: datetime.date | None
    overdue: bool
    opened_at: str


class CaseList(Schema):
    count: int
    truncated: bool
    cases: list[CaseRow]


def person_json(person: CasePerson) -> dict:
    return {
        "id": person.pk,
        "relation": person.relation,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "phone": person.phone,
        "passport": person.passport,
        "school": person.school,
        "location": person.location_id,
    }


def _row(case: Case, today: datetime.date) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "msc": case.msc.code,
        "case_type": case.case_type,
        "status": case.status,
        "assigned_to": case.assigned_to.username if case.assigned_to else None,
        "follow_up_due": case.follow_up_due,
        "overdue": case.is_overdue(today),
        "opened_at": timezone.localtime(case.opened_at).isoformat(),
    }


def case_json(case: Case, user) -> dict:
    """A case as the API gives it, its sensitive details withheld from a user without the
    permission (safar.core.sensitive)."""
    values = _row(case, timezone.localdate()) | {
        "summary": case.summary,
        "categories": sorted(c.code for c in case.categories.all()),
        "closed_at": timezone.localtime(case.closed_at).isoformat() if case.closed_at else None,
        "assessment": case.assessment,
        "plan": case.plan,
        "psychological": case.psychological,
        "health": case.health,
        "trafficking": case.trafficking,
        "closure": case.closure,
        "people": [person_json(p) for p in case.people.all()],
        "actions": available_actions(case, user),
    }
    return visible_values(Case, values, user)


def _get_case(request: HttpRequest, case_id: int) -> Case:
    if case_id > 2**62:
        raise ApiError(404, "not_found", _("Not found."))
    return get_object_or_404(
        Case.objects.visible_to(request.user).select_related("msc", "assigned_to"), pk=case_id
    )


def _invalid(exc: CaseInvalid) -> ApiError:
    return ApiError(400, "invalid", _("The request has errors."), exc.fields)


@router.post("/helpdesk/cases", response={201: CaseOut, **ERRORS}, url_name="helpdesk_cases")
def create_case(request: HttpRequest, payload: CaseIn):
    """Open a case with its first person; from a contact (`contact`), the contact joins the
    case and its caller becomes the person's caller. Search before you open one
    (the case page does)."""
    if not can_open_cases(request.user):
        raise ApiError(403, "forbidden", _("You may not open cases."))
    raw = payload.model_dump()
    raw["contact"] = str(raw["contact"]) if raw["contact"] else ""
    try:
        data = cases.clean_case(raw, request.user)
    except CaseInvalid as exc:
        raise _invalid(exc) from None
    case = cases.open_case(request.user, data)
    case = _get_case(request, case.pk)
    return Status(201, case_json(case, request.user))


@router.get("/helpdesk/cases", response={200: CaseList, **ERRORS}, url_name="helpdesk_cases")
def list_cases(
    request: HttpRequest,
    status: CaseStatus | None = None,
    case_type: CaseType | None = None,
    assigned_to: str | None = Query(
        None, max_length=150, description='A username, or "me" for the user\'s own cases.'
    ),
    open_only: bool = Query(False, description="Only the cases not closed."),
    overdue: bool = Query(False, description="Only open cases whose follow-up date has passed."),
):
    """The cases the user may see (at most 1,000), by next follow-up date, then newest first."""
    if nul_fields({"assigned_to": assigned_to}):
        raise ApiError(
            400, "invalid", _("The request has errors."), {"assigned_to": [_("Contains a NUL.")]}
        )
    today = timezone.localdate()
    found = Case.objects.visible_to(request.user)
    if status:
        found = found.filter(status=status)
    if case_type:
        found = found.filter(case_type=case_type)
    if assigned_to == "me":
        found = found.filter(assigned_to=request.user)
    elif assigned_to:
        found = found.filter(assigned_to__username=assigned_to)
    if open_only:
        found = found.open()
    if overdue:
        found = found.overdue(today)
    rows = list(
        found.select_related("msc", "assigned_to").order_by(
            F("follow_up_due").asc(nulls_last=True), "-opened_at", "-id"
        )[: LIST_LIMIT + 1]
    )
    return {
        "count": min(len(rows), LIST_LIMIT),
        "truncated": len(rows) > LIST_LIMIT,
        "cases": [_row(case, today) for case in rows[:LIST_LIMIT]],
    }


@router.get(
    "/helpdesk/cases/{case_id}", response={200: CaseOut, **ERRORS}, url_name="helpdesk_case"
)
def get_case(request: HttpRequest, case_id: int):
    """One case with its people; the psychological, health and trafficking details are null
    for a user who may not read them."""
    case = _get_case(request, case_id)
    AuditEvent.record(user=request.user, action=AuditEvent.Action.VIEW, obj=case)
    return case_json(case, request.user)


@router.post(
    "/helpdesk/cases/{case_id}/transitions",
    response={200: CaseOut, **ERRORS},
    url_name="helpdesk_case_transitions",
)
def take_transition(request: HttpRequest, case_id: int, payload: TransitionIn):
    """Take a workflow step (`actions` in the case says which the user may take). A step that
    is not possible now is a 400 on `action` (or on `comment` when it needs one)."""
    case = _get_case(request, case_id)
    try:
        advance(case, payload.action, request.user, payload.comment)
    except WorkflowError as exc:
        raise ApiError(
            400, "invalid", _("The request has errors."), {exc.field: [exc.message]}
        ) from None
    return case_json(_get_case(request, case_id), request.user)


@router.post(
    "/helpdesk/cases/{case_id}/people",
    response={201: PersonOut, **ERRORS},
    url_name="helpdesk_case_people",
)
def add_person(request: HttpRequest, case_id: int, payload: PersonIn):
    """Add a person to the case: a spouse, a child (with school status), a parent…"""
    case = _get_case(request, case_id)
    if not request.user.has_perm("helpdesk.add_caseperson"):
        raise ApiError(403, "forbidden", _("You may not add people to cases."))
    raw = payload.model_dump()
    try:
        person = cases.clean_person(raw, today=timezone.localdate())
    except CaseInvalid as exc:
        raise _invalid(exc) from None
    return Status(201, person_json(cases.add_person(case, person, request.user)))
