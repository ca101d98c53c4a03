"""The case pages: the list and the supervisor's overdue list, search before create and the
new-case form, and a case's page (people, assessment and plan, workflow buttons, notes,
documents, the timeline).

Every page reads cases through `get_case_for_user` / `Case.objects.visible_to` (another MSC's
case is a 404, the coordinator and border roles get 403), writes through `cases.py` and
`workflow.py`, and records an audit VIEW whenever a case's personal data is shown. Searches for
a person are POSTs: names, numbers and passports stay out of URLs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safar.core.models import AuditEvent, Country
from safar.core.sensitive import hidden_fields

from . import cases
from .access import can_open_cases, can_view_cases, get_case_for_user, mscs_for
from .cases import ACTION_LABELS, CaseInvalid
from .models import Caller, Case, CaseDocument, CasePerson, Category, Contact
from .views import crossings_section
from .workflow import WorkflowError, advance, available_actions

PAGE_SIZE = 50
# What a list row shows: the long texts (assessment, plan, sensitive details) are not read.
ROW_FIELDS = (
    "number",
    "case_type",
    "status",
    "follow_up_due",
    "opened_at",
    "summary",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
)
SENSITIVE_TEXTS = ("psychological", "health", "trafficking")


def _require_cases(user) -> None:
    if not can_view_cases(user):
        raise PermissionDenied


def _require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def _dotted_to_form(errors: dict[str, list[str]], prefix: str = "") -> dict[str, list[str]]:
    """ "person.name" → "person_name": the form's field names, readable in templates."""
    return {prefix + name.replace(".", "_"): found for name, found in errors.items()}


# --- the lists ---------------------------------------------------------------------------------


def _consultant_choices(user) -> list:
    users: list = []
    for msc in mscs_for(user, "helpdesk.view_case"):
        users.extend(cases.consultants_of(msc))
    return users


def _filtered(request: HttpRequest, base) -> tuple[Any, dict[str, str]]:
    """The list's filters from the query string; a value that is not one of the choices is
    ignored (never an error page for a hand-edited URL)."""
    get = request.GET
    chosen = {
        "status": get.get("status", "") if get.get("status") in Case.Status.values else "",
        "type": get.get("type", "") if get.get("type") in Case.Type.values else "",
        "state": get.get("state", "open") if get.get("state") in ("closed", "all") else "open",
        "consultant": get.get("consultant", ""),
        "overdue": "1" if get.get("overdue") == "1" else "",
        "sort": "opened" if get.get("sort") == "opened" else "follow_up",
    }
    found = base
    if chosen["status"]:
        found = found.filter(status=chosen["status"])
    elif chosen["state"] == "open":
        found = found.open()
    elif chosen["state"] == "closed":
        found = found.filter(status=Case.Status.CLOSED)
    if chosen["type"]:
        found = found.filter(case_type=chosen["type"])
    consultant = chosen["consultant"]
    if consultant == "mine":
        found = found.filter(assigned_to=request.user)
    elif consultant == "none":
        found = found.filter(assigned_to__isnull=True)
    elif consultant.isdigit() and len(consultant) < 12:
        found = found.filter(assigned_to_id=int(consultant))
    else:
        chosen["consultant"] = ""
    if chosen["overdue"]:
        found = found.overdue(timezone.localdate())
    if chosen["sort"] == "opened":
        found = found.order_by("-opened_at", "-id")
    else:
        found = found.order_by(F("follow_up_due").asc(nulls_last=True), "-opened_at", "-id")
    return found, chosen


def _counts(base, user, today) -> dict[str, int]:
    """The list's figures, one indexed count each: a single aggregate with four conditions reads
    every row of the centre (100 ms at 50,000 cases), these read index ranges."""
    open_cases = base.open()
    return {
        "open": open_cases.count(),
        "overdue": open_cases.filter(follow_up_due__lt=today).count(),
        "mine": open_cases.filter(assigned_to=user).count(),
        "awaiting": base.filter(
            status__in=[Case.Status.PLAN_SUBMITTED, Case.Status.CLOSURE_REQUESTED]
        ).count(),
    }


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases of the user's MSC with filters (status, type, consultant or "mine", open or
    closed, overdue) and counts, by next follow-up (or newest first), 50 a page."""
    _require_cases(request.user)
    today = timezone.localdate()
    base = Case.objects.visible_to(request.user)
    counts = _counts(base, request.user, today)
    found, chosen = _filtered(request, base)
    page = Paginator(found.select_related("assigned_to").only(*ROW_FIELDS), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(
        request,
        "helpdesk/case/list.html",
        {
            "page": page,
            "counts": counts,
            "chosen": chosen,
            "query_string": query,
            "statuses": Case.Status.choices,
            "types": Case.Type.choices,
            "consultants": _consultant_choices(request.user),
            "today": today,
            "can_open": can_open_cases(request.user),
        },
    )


@login_required
def case_overdue(request: HttpRequest) -> HttpResponse:
    """The supervisor's daily list: open cases whose follow-up date has passed, longest
    overdue first."""
    _require_cases(request.user)
    today = timezone.localdate()
    found = (
        Case.objects.visible_to(request.user)
        .overdue(today)
        .select_related("assigned_to")
        .only(*ROW_FIELDS)
        .order_by("follow_up_due", "id")
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "helpdesk/case/overdue.html", {"page": page, "today": today, "query_string": ""}
    )


# --- search before create, and the new case -----------------------------------------------------


def _contact_to_open_from(request: HttpRequest) -> Contact | None:
    value = request.POST.get("contact") or request.GET.get("contact") or ""
    if not value.isdigit() or len(value) > 18:
        return None
    return (
        Contact.objects.visible_to(request.user)
        .data_calls()
        .filter(pk=int(value), case__isnull=True)
        .select_related("caller", "msc")
        .prefetch_related("categories")
        .first()
    )


def _new_case_values(contact: Contact | None, user) -> dict[str, Any]:
    """The form's first values: the caller of the contact the case grows from."""
    values: dict[str, Any] = {
        "person_relation": CasePerson.Relation.MIGRANT,
        "person_sex": Caller.Sex.UNKNOWN,
    }
    mscs = list(mscs_for(user, "helpdesk.add_case")[:2])
    if len(mscs) == 1:
        values["msc"] = mscs[0].code
    if user.has_perm("helpdesk.change_case"):
        values["assigned_to"] = user.username
    if contact is not None:
        values["msc"] = contact.msc.code
        values["contact"] = str(contact.pk)
        caller = contact.caller
        if caller is not None:
            values |= {
                "person_name": caller.name,
                "person_phone": caller.phone,
                "person_sex": caller.sex,
                "search_phone": caller.phone,
                "search_name": caller.name,
            }
    return values


def _raw_case(post) -> dict[str, Any]:
    return {
        "msc": post.get("msc", ""),
        "case_type": post.get("case_type", ""),
        "summary": post.get("summary", ""),
        "categories": post.getlist("categories"),
        "assigned_to": post.get("assigned_to", ""),
        "contact": post.get("contact", ""),
        "person": {
            name: post.get(f"person_{name}", "")
            for name in ("relation", "name", "sex", "birth_date", "phone", "passport", "school")
        }
        | {"location": post.get("person_location", "")},
    }


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """Search before create (phone, name, passport: the people already in the centre's cases
    and their cases), then the form for the new case and its first person. Opened from a
    contact (`?contact=<id>`), the form starts with the caller and the contact joins the case."""
    if not can_open_cases(request.user):
        raise PermissionDenied
    contact = _contact_to_open_from(request)
    errors: dict[str, list[str]] = {}
    found: list[CasePerson] | None = None
    values: Any = _new_case_values(contact, request.user)
    selected = [c.code for c in contact.categories.all()] if contact else []
    status = 200
    if request.method == "POST":
        if "search" in request.POST:
            # The search form holds only the search: the case form keeps its first values.
            searched = {
                name: request.POST.get(f"search_{name}", "").strip()
                for name in ("phone", "name", "passport")
            }
            values = values | {f"search_{name}": value for name, value in searched.items()}
            # What was searched starts the new person, where the contact gave nothing.
            for name, value in searched.items():
                if value and not values.get(f"person_{name}"):
                    values[f"person_{name}"] = value
            try:
                found = cases.search_people(
                    request.user,
                    phone=request.POST.get("search_phone", ""),
                    name=request.POST.get("search_name", ""),
                    passport=request.POST.get("search_passport", ""),
                )
            except CaseInvalid as exc:
                errors = _dotted_to_form(exc.fields, "search_")
                status = 400
        else:
            values, selected = request.POST, request.POST.getlist("categories")
            try:
                data = cases.clean_case(_raw_case(request.POST), request.user)
            except CaseInvalid as exc:
                errors = _dotted_to_form(exc.fields)
                status = 400
            else:
                case = cases.open_case(request.user, data)
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                return redirect("helpdesk:case", case.pk)
    groups = Category.objects.filter(parent__isnull=True, active=True).prefetch_related("children")
    mscs = list(mscs_for(request.user, "helpdesk.add_case"))
    consultants = [u for msc in mscs for u in cases.consultants_of(msc)]
    return render(
        request,
        "helpdesk/case/new.html",
        {
            "values": values,
            "errors": errors,
            "found": found,
            "contact": contact,
            "selected_categories": selected,
            "mscs": mscs,
            "consultants": consultants,
            "groups": groups,
            "types": Case.Type.choices,
            "person_fields": person_fields(values, errors, "person_"),
            **_person_choices(),
        },
        status=status,
    )


def _person_choices() -> dict[str, Any]:
    return {"countries": Country.objects.all()}


def person_fields(values: Any, errors: dict, prefix: str) -> list[dict[str, Any]]:
    """The inputs for one person, named `prefix` + field, with their values and errors (the
    new-case form, the case page's "add a person" and the person's own page share them)."""
    specs: list[tuple[str, Any, str, list | None]] = [
        ("relation", _("Who"), "select", CasePerson.Relation.choices),
        ("name", _("Name"), "text", None),
        ("sex", _("Sex"), "select", Caller.Sex.choices),
        ("birth_date", _("Date of birth"), "date", None),
        ("phone", _("Phone number"), "tel", None),
        ("passport", _("Passport number"), "text", None),
        ("school", _("School (children only)"), "select", [("", "–"), *CasePerson.School.choices]),
        ("location", _("Where they are (country code)"), "country", None),
    ]
    fields = []
    for name, label, kind, choices in specs:
        value = values.get(prefix + name, "") if values else ""
        fields.append(
            {
                "name": prefix + name,
                "id": f"id_{prefix}{name}",
                "label": label,
                "kind": kind,
                "choices": choices,
                "value": value.isoformat() if hasattr(value, "isoformat") else str(value or ""),
                "errors": errors.get(prefix + name, []),
                "required": name in ("relation", "name"),
            }
        )
    return fields


# --- a case's page -----------------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    case: Case,
    *,
    errors: dict[str, list[str]] | None = None,
    values: Any = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    hidden = hidden_fields(Case, user)
    sensitive_notes = user.has_perm("helpdesk.view_case_sensitive")
    AuditEvent.record(user=user, action=AuditEvent.Action.VIEW, obj=case)
    notes = [
        {"note": note, "withheld": note.sensitive and not sensitive_notes}
        for note in case.notes.select_related("written_by")
    ]
    actions = [(name, ACTION_LABELS[name]) for name in available_actions(case, user)]
    return render(
        request,
        "helpdesk/case/detail.html",
        {
            "case": case,
            "overdue": case.is_overdue(timezone.localdate()),
            "people": case.people.select_related("location"),
            "notes": notes,
            "documents": case.documents.select_related("uploaded_by"),
            "categories": case.categories.all(),
            "actions": actions,
            "timeline": cases.timeline(case, user),
            "sensitive": [
                {
                    "name": name,
                    "label": getattr(Case._meta.get_field(name), "verbose_name", name),
                    "value": getattr(case, name),
                    "withheld": name in hidden,
                    "id": f"id_{name}",
                    "errors": (errors or {}).get(name, []),
                }
                for name in SENSITIVE_TEXTS
            ],
            "can_change": user.has_perm("helpdesk.change_case"),
            "can_add_person": user.has_perm("helpdesk.add_caseperson"),
            "can_note": user.has_perm("helpdesk.add_casenote"),
            "can_upload": user.has_perm("helpdesk.add_casedocument"),
            "consultants": cases.consultants_of(case.msc),
            "closures": Case.Closure.choices,
            "barred_paths": Case.BarredPath.choices,
            "barred_outcomes": Case.BarredOutcome.choices,
            "errors": errors or {},
            "values": values or {},
            "follow_up_value": (values or {}).get("follow_up_due")
            or (case.follow_up_due.isoformat() if case.follow_up_due else ""),
            "max_document_mb": cases.MAX_DOCUMENT_BYTES // 2**20,
            "person_fields": person_fields(
                values
                or {"new_relation": CasePerson.Relation.SPOUSE, "new_sex": Caller.Sex.UNKNOWN},
                errors or {},
                "new_",
            ),
            **_person_choices(),
            # The section that fills the stay calculator from the client's crossings.
            **crossings_section(user, case),
        },
        status=status,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_case_for_user(request.user, pk))


def _case_for(request: HttpRequest, pk: int, permission: str) -> Case:
    """The case (404 for another centre's, 403 without case work) if the user also holds
    `permission` (403 otherwise)."""
    case = get_case_for_user(request.user, pk)
    _require(request.user, permission)
    return case


def _done(request: HttpRequest, case: Case, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("helpdesk:case", args=[case.pk]) + anchor)


@login_required
@require_POST
def case_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the assessment, plan, sensitive details, follow-up date and result."""
    case = _case_for(request, pk, "helpdesk.change_case")
    names = (*cases.CASE_TEXTS, "follow_up_due", "closure", "barred_path", "barred_outcome")
    raw = {name: request.POST[name] for name in names if name in request.POST}
    try:
        cases.update_case(case, raw, request.user)
    except CaseInvalid as exc:
        return _detail(request, case, errors=exc.fields, values=request.POST, status=400)
    return _done(request, case, _("Saved."), "#work")


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One workflow step (a button), with its comment."""
    case = get_case_for_user(request.user, pk)
    action = request.POST.get("action", "")
    try:
        advance(case, action, request.user, request.POST.get("comment", ""))
    except WorkflowError as exc:
        case.refresh_from_db()
        errors = {f"workflow_{exc.field}": [exc.message]}
        return _detail(request, case, errors=errors, values=request.POST, status=400)
    return _done(request, case, _("Done: %(step)s.") % {"step": ACTION_LABELS[action]}, "#workflow")


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk, "helpdesk.change_case")
    username = request.POST.get("assigned_to", "")
    consultant = cases.consultants_of(case.msc).filter(username=username).first()
    try:
        if username and consultant is None:
            raise CaseInvalid({"assigned_to": [_("Not a consultant of this centre.")]})
        cases.assign(case, consultant, request.user)
    except CaseInvalid as exc:
        return _detail(request, case, errors=exc.fields, values=request.POST, status=400)
    return _done(request, case, _("Consultant changed."))


def _raw_person(post, prefix: str) -> dict[str, str]:
    return {name: post.get(prefix + name, "") for name in cases.PERSON_FIELDS}


@login_required
@require_POST
def person_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk, "helpdesk.add_caseperson")
    try:
        person = cases.clean_person(
            _raw_person(request.POST, "new_"), today=timezone.localdate(), prefix="new_"
        )
    except CaseInvalid as exc:
        return _detail(request, case, errors=exc.fields, values=request.POST, status=400)
    cases.add_person(case, person, request.user)
    return _done(request, case, _("Person added."), "#people")


@login_required
def person_edit(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """Change one person of the case (a page of its own: the case page stays short)."""
    case = _case_for(request, pk, "helpdesk.change_caseperson")
    person = get_object_or_404(case.people.select_related("location"), pk=person_pk)
    errors: dict[str, list[str]] = {}
    values: Any = {
        name: getattr(person, name) or "" for name in cases.PERSON_FIELDS if name != "location"
    } | {"location": person.location_id or "", "birth_date": person.birth_date or ""}
    if request.method == "POST":
        values = request.POST
        try:
            cleaned = cases.clean_person(_raw_person(request.POST, ""), today=timezone.localdate())
        except CaseInvalid as exc:
            errors = exc.fields
        else:
            cases.change_person(person, cleaned, request.user)
            return _done(request, case, _("Person changed."), "#people")
    else:
        AuditEvent.record(user=request.user, action=AuditEvent.Action.VIEW, obj=person)
    return render(
        request,
        "helpdesk/case/person.html",
        {
            "case": case,
            "person": person,
            "person_fields": person_fields(values, errors, ""),
            **_person_choices(),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk, "helpdesk.add_casenote")
    try:
        cases.add_note(
            case,
            request.user,
            request.POST.get("text", ""),
            sensitive=request.POST.get("sensitive") == "1",
        )
    except CaseInvalid as exc:
        errors = {f"note_{name}": found for name, found in exc.fields.items()}
        return _detail(request, case, errors=errors, values=request.POST, status=400)
    return _done(request, case, _("Note added."), "#notes")


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk, "helpdesk.add_casedocument")
    try:
        cases.add_document(
            case,
            request.user,
            request.FILES.get("file"),
            title=request.POST.get("title", ""),
        )
    except CaseInvalid as exc:
        errors = {f"document_{name}": found for name, found in exc.fields.items()}
        return _detail(request, case, errors=errors, values=request.POST, status=400)
    return _done(request, case, _("Document kept."), "#documents")


@login_required
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A case's document, to those who may see the case; every download is in the audit."""
    case = _case_for(request, pk, "helpdesk.view_casedocument")
    document: CaseDocument = get_object_or_404(case.documents, pk=document_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    AuditEvent.record(user=request.user, action=AuditEvent.Action.VIEW, obj=document)
    response = FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=True,
        filename=f"{case.number}-{document.pk}.{document.extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
