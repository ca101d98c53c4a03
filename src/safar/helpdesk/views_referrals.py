"""Services, referrals and figures: the forms of a case's services and referrals sections
(`helpdesk/case/_services.html`, `_referrals.html`, included by the case page), the partner
organisation's pages of the referrals sent to it, the case figures for the coordinator and the
supervisors, and the coordinator's look at a single case with a stated reason.

A form posted with errors comes back on the case's services-and-referrals page with every
field as typed and the messages next to the fields (400); a saved one returns to the case."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safar.core.models import AuditEvent, Office
from safar.core.permissions import permission_required

from .access import (
    ReasonRefused,
    can_open_case_with_reason,
    open_case_with_reason,
    statistics_mscs,
)
from .case_services import CaseWorkInvalid, record_service, set_barred
from .models import Case, CaseDocument, Referral
from .models.cases import PARTNER_KINDS
from .referrals import referral_counts, shared_view
from .statistics import case_statistics, month_bounds
from .workflow import WorkflowError, answer_referral, send_referral

LIST_LIMIT = 200
# The case page of the case pages' stream, by the names it may carry; until one exists the
# services-and-referrals page of this module stands in.
CASE_PAGE_NAMES = ("helpdesk:case", "helpdesk:case-detail")


def _visible_case(request: HttpRequest, pk: int) -> Case:
    """A case of the user's MSC (404 for another MSC's: its existence is not confirmed)."""
    return get_object_or_404(Case.objects.visible_to(request.user).select_related("msc"), pk=pk)


def case_page(case: Case, anchor: str = "") -> str:
    for name in CASE_PAGE_NAMES:
        try:
            return reverse(name, args=[case.pk]) + anchor
        except NoReverseMatch:
            continue
    return reverse("helpdesk:case-work", args=[case.pk]) + anchor


def _work_page(request: HttpRequest, case: Case, status: int = 200, **extra) -> HttpResponse:
    return render(request, "helpdesk/case/work.html", {"case": case, **extra}, status=status)


@permission_required("helpdesk.view_case")
def case_work(request: HttpRequest, pk: int) -> HttpResponse:
    """The services and referrals of one case, with their forms (the case page's two sections
    on a page of their own)."""
    case = _visible_case(request, pk)
    AuditEvent.record(user=request.user, action=AuditEvent.Action.VIEW, obj=case)
    return _work_page(request, case)


@require_POST
@permission_required("helpdesk.add_service")
def add_service(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    post = request.POST
    try:
        record_service(
            case,
            request.user,
            kind=post.get("kind", ""),
            given_on=post.get("given_on", ""),
            person=post.get("person", ""),
            notes=post.get("notes", ""),
        )
    except CaseWorkInvalid as exc:
        return _work_page(
            request, case, 400, service_errors=exc.fields, service_values=request.POST
        )
    messages.success(request, _("The service is recorded."))
    return redirect(case_page(case, "#services"))


@require_POST
@permission_required("helpdesk.change_case")
def barred(request: HttpRequest, pk: int) -> HttpResponse:
    """The path offered to a citizen barred from Russia and its outcome."""
    case = _visible_case(request, pk)
    try:
        set_barred(
            case,
            request.user,
            path=request.POST.get("barred_path", ""),
            outcome=request.POST.get("barred_outcome", ""),
        )
    except CaseWorkInvalid as exc:
        return _work_page(request, case, 400, barred_errors=exc.fields, barred_values=request.POST)
    messages.success(request, _("The path and its outcome are saved."))
    return redirect(case_page(case, "#barred"))


@require_POST
@permission_required("helpdesk.add_referral")
def send(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    post = request.POST
    partner = Office.objects.filter(
        kind__in=PARTNER_KINDS, code=post.get("partner", "").replace("\x00", "")
    ).first()
    errors: dict[str, list[str]] = {}
    if partner is None:
        errors["partner"] = [_("Choose the organisation to refer to.")]
    else:
        try:
            send_referral(
                case,
                partner=partner,
                reason=post.get("reason", "").replace("\x00", ""),
                shared=post.getlist("shared"),
                consent=post.get("consent") == "yes",
                override_reason=post.get("consent_note", "").replace("\x00", ""),
                user=request.user,
            )
        except WorkflowError as exc:
            errors[exc.field] = [exc.message]
    if errors:
        return _work_page(
            request,
            case,
            400,
            referral_errors=errors,
            referral_values=post,
            referral_shared=post.getlist("shared"),
        )
    messages.success(
        request, _("The referral is sent to %(partner)s.") % {"partner": partner and partner.name}
    )
    return redirect(case_page(case, "#referrals"))


@require_POST
@permission_required("helpdesk.change_referral")
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The MSC takes a referral back: the partner no longer sees the client's data."""
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user)
        .filter(case__in=Case.objects.visible_to(request.user))
        .select_related("case__msc"),
        pk=pk,
    )
    try:
        answer_referral(referral, "revoke", request.user, request.POST.get("text", ""))
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The referral is revoked."))
    return redirect(case_page(referral.case, "#referrals"))


# --- the partner organisation's pages ----------------------------------------------------------


@permission_required("helpdesk.view_referral", "helpdesk.answer_referral")
def referrals(request: HttpRequest) -> HttpResponse:
    """The referrals the user may see (a partner: those sent to its organisation), newest
    first, by status; no client's name here (the detail shows what is shared, audited)."""
    visible = Referral.objects.visible_to(request.user)
    counts = referral_counts(visible)
    status = request.GET.get("status", "")
    if status not in Referral.Status.values:
        status = ""
    found = visible.filter(status=status) if status else visible
    rows = found.select_related("case__msc", "partner")[:LIST_LIMIT]
    return render(
        request,
        "helpdesk/referrals.html",
        {
            "referrals": rows,
            "counts": [(value, label, counts[value]) for value, label in Referral.Status.choices],
            "total": sum(counts.values()),
            "status": status,
            "limit": LIST_LIMIT,
        },
    )


def _referral_page(
    request: HttpRequest, referral: Referral, status: int = 200, **extra
) -> HttpResponse:
    user = request.user
    partner_side = referral.partner_id == getattr(user, "office_id", None) or user.is_superuser
    answerable = user.has_perm("helpdesk.answer_referral") and partner_side
    context = {
        "referral": referral,
        "view": shared_view(referral),
        "share_labels": [
            str(Referral.Share(item).label)
            for item in referral.shared
            if item in Referral.Share.values
        ],
        "can_accept": answerable and referral.status == Referral.Status.SENT,
        "can_reject": answerable and referral.status == Referral.Status.SENT,
        "can_complete": answerable and referral.status == Referral.Status.ACCEPTED,
        "can_revoke": (
            user.has_perm("helpdesk.change_referral")
            and referral.is_open
            and Case.objects.visible_to(user).filter(pk=referral.case_id).exists()
        ),
        **extra,
    }
    return render(request, "helpdesk/referral.html", context, status=status)


@permission_required("helpdesk.view_referral", "helpdesk.answer_referral")
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    """One referral as its partner sees it, with the partner's answers (POST): accept, reject
    with the reason, complete with what came back. Another organisation's referral is a 404."""
    found = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("case__msc", "partner"), pk=pk
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ("accept", "reject", "complete"):
            return _referral_page(
                request, found, 400, errors={"action": [_("Choose accept, reject or complete.")]}
            )
        try:
            answer_referral(found, action, request.user, request.POST.get("text", ""))
        except WorkflowError as exc:
            found.refresh_from_db()
            return _referral_page(
                request,
                found,
                400,
                errors={exc.field: [exc.message]},
                text=request.POST.get("text", ""),
                failed_action=action,
            )
        messages.success(
            request,
            _("The referral is now “%(status)s”.") % {"status": found.get_status_display()},
        )
        return redirect("helpdesk:referral", pk=found.pk)
    AuditEvent.record(user=request.user, action=AuditEvent.Action.VIEW, obj=found)
    return _referral_page(request, found)


# --- figures and the coordinator -----------------------------------------------------------


def _month(request: HttpRequest, today: datetime.date) -> tuple[datetime.date, str]:
    text = request.GET.get("month", "")
    if text:
        try:
            return datetime.date(int(text[:4]), int(text[5:7]), 1), ""
        except ValueError:
            return today.replace(day=1), _("Give a month as YYYY-MM.")
    return today.replace(day=1), ""


def statistics(request: HttpRequest) -> HttpResponse:
    """Per MSC: cases by type and status, opened and closed in the month, overdue today,
    referrals by the kind of partner and status, the barred citizens by path and outcome."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    mscs = statistics_mscs(request.user)
    if not mscs.exists():
        raise PermissionDenied
    today = timezone.localdate()
    month, month_error = _month(request, today)
    start, end = month_bounds(month)
    figures = case_statistics(mscs, today=today, month_start=start, month_end=end)
    return render(
        request,
        "helpdesk/case_statistics.html",
        {
            "figures": figures,
            "month": month,
            "month_end": end,
            "month_error": month_error,
            "today": today,
        },
        status=400 if month_error else 200,
    )


def open_with_reason(request: HttpRequest) -> HttpResponse:
    """The coordinator opens a single case by its number, stating why (audited); the answer is
    the case, read only and without its sensitive details. Nothing in the URL: a case seen this
    way is seen again only by stating a reason again."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_open_case_with_reason(request.user):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            case = open_case_with_reason(
                request.user, request.POST.get("number", ""), request.POST.get("reason", "")
            )
        except ReasonRefused as exc:
            errors = exc.fields
        else:
            return render(
                request,
                "helpdesk/case_coordinator.html",
                {
                    "case": case,
                    "reason": request.POST.get("reason", ""),
                    "people": case.people.all(),
                    "categories": case.categories.all(),
                    "services": case.services.select_related("person", "given_by"),
                    "referrals": case.referrals.select_related("partner"),
                    "events": case.events.select_related("user").order_by("-at", "-id"),
                },
            )
    return render(
        request,
        "helpdesk/case_open_with_reason.html",
        {"errors": errors, "values": request.POST},
        status=400 if errors else 200,
    )


def new_referral_counts(user) -> dict[str, int]:
    """For the partner's home section: referrals waiting for an answer and those in progress."""
    return Referral.objects.visible_to(user).aggregate(
        new=Count("pk", filter=Q(status=Referral.Status.SENT)),
        in_progress=Count("pk", filter=Q(status=Referral.Status.ACCEPTED)),
    )


@permission_required("helpdesk.view_referral", "helpdesk.answer_referral")
def referral_document(request: HttpRequest, pk: int, document: int) -> FileResponse:
    """A document of a referred case, for the partner when the referral shares the documents
    (and is not revoked); audited like every look at a client's file."""
    found = get_object_or_404(Referral.objects.visible_to(request.user), pk=pk)
    if not found.shares(Referral.Share.DOCUMENTS):
        raise Http404
    kept = get_object_or_404(CaseDocument, pk=document, case_id=found.case_id)
    AuditEvent.record(
        user=request.user,
        action=AuditEvent.Action.VIEW,
        obj=kept,
        changes={"referral": found.pk},
    )
    return FileResponse(
        kept.file.open("rb"),
        as_attachment=True,
        filename=kept.original_name or f"{kept.pk}.{kept.extension}",
        content_type=kept.content_type or "application/octet-stream",
    )
