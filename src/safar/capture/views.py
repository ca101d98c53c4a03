"""Capture pages: the overview, the web upload and the operators' review queue.

Nothing here reads an image: reading runs in the task workers. Every view goes through the
helpers in safar.capture.access (an operator sees their own centre's scans only), and the
page image and crops are served by views that check the same permission (they are personal
data, never public media URLs).
"""

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from safar.core.models import AuditEvent, Office
from safar.core.permissions import permission_required
from safar.crossings.views import save_or_report

from . import services
from .access import get_scan_for_user, visible_scans, visible_uploads
from .forms import COMMON_REJECT_REASONS, HandOverForm, RejectForm, ReviewForm, UploadForm
from .models import Scan, Upload

capture_roles = permission_required("capture.change_scan")
RECENT_UPLOADS = 30
RECENT_FAILED = 30


def upload_centre(user) -> Office | None:
    """The border centre a user uploads for: their own office when it is one."""
    office = user.office
    if office is not None and office.kind == Office.Kind.BORDER_CENTRE:
        return office
    return None


@capture_roles
def overview(request):
    """Scans by status, the latest uploads, the upload form and the way into the queue."""
    scans = visible_scans(request.user)
    uploads = (
        visible_uploads(request.user)
        .select_related("batch__centre", "batch__station", "batch__uploaded_by")
        .order_by("-received_at", "-id")[:RECENT_UPLOADS]
    )
    counts = scans.status_counts()
    by_upload = Scan.objects.filter(upload__in=uploads).counts_by_upload()
    # Pages the worker failed on, with the reason: visible here, never stuck out of sight.
    failed = (
        scans.filter(status=Scan.Status.FAILED)
        .select_related("upload")
        .order_by("-created_at", "-id")[:RECENT_FAILED]
    )
    return render(
        request,
        "capture/overview.html",
        {
            "counts": [(status, label, counts[status]) for status, label in Scan.Status.choices],
            "waiting": counts[Scan.Status.NEEDS_REVIEW],
            "failed": failed,
            "failed_count": counts[Scan.Status.FAILED],
            "uploads_waiting": visible_uploads(request.user)
            .filter(status=Upload.Status.RECEIVED)
            .count(),
            "uploads": [
                (u, [by_upload.get(u.pk, {}).get(status, 0) for status in Scan.Status.values])
                for u in uploads
            ],
            "form": UploadForm() if upload_centre(request.user) else None,
        },
    )


@capture_roles
def status(request):
    """The scans page's figures as JSON, asked every few seconds by capture/overview.js so the
    page follows the worker without a reload: counts by status and uploads not yet split into
    pages. Counts only, no card contents."""
    counts = visible_scans(request.user).status_counts()
    unsplit = visible_uploads(request.user).filter(status=Upload.Status.RECEIVED).count()
    return JsonResponse({"counts": counts, "uploads_waiting": unsplit})


@capture_roles
@require_POST
def upload(request):
    """Store the files (each through receive_upload, as a station's would be) and queue them."""
    centre = upload_centre(request.user)
    if centre is None:
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("capture:overview")
    stored, known = 0, 0
    for file in form.cleaned_data["files"]:
        try:
            received = services.receive_upload(
                content=file.read(), name=file.name, centre=centre, user=request.user
            )
        except services.UploadRefused as refusal:
            messages.error(request, f"{file.name}: {refusal}")
            continue
        stored += received.created
        known += not received.created
    if stored:
        messages.success(
            request, _("%(count)d files received; they are being read.") % {"count": stored}
        )
    if known:
        messages.info(
            request,
            _("%(count)d files had been received before and were not stored again.")
            % {"count": known},
        )
    return redirect("capture:overview")


@capture_roles
def review_next(request):
    """The oldest scan waiting for review at the user's centre, or the overview when none."""
    after = request.GET.get("after")
    scan = next_in_queue(request.user, after=int(after) if after and after.isdigit() else None)
    if scan is None:
        return redirect("capture:overview")  # which says that none is waiting
    return redirect("capture:review", pk=scan.pk)


def next_in_queue(user, *, after: int | None = None) -> Scan | None:
    """The next waiting scan; `after` skips the one just handled (it may still be waiting when
    the operator left it, or handled by a colleague meanwhile)."""
    queue = visible_scans(user).needing_review().queue_order()
    if after is not None:
        queue = queue.exclude(pk=after)
    return queue.first()


@capture_roles
@require_http_methods(["GET", "POST"])
def review(request, pk: int):
    """One scan: the page, each doubtful field's crop beside an input with the best guess.
    Enter accepts and saves (then the next card opens); Escape opens the rejection box."""
    scan = get_scan_for_user(request.user, pk)
    if scan.status != Scan.Status.NEEDS_REVIEW and request.method == "POST":
        messages.info(request, _("This scan was handled meanwhile."))
        return redirect(f"{reverse('capture:next')}?after={scan.pk}")
    form = ReviewForm(request.POST or None, scan=scan, user=request.user)
    reject_form = RejectForm()
    hand_over_form = HandOverForm(scan=scan)
    if request.method == "POST" and "hand_over" in request.POST:
        hand_over_form = HandOverForm(request.POST, scan=scan)
        if hand_over_form.is_valid():
            handed = hand_over(request, scan, hand_over_form)
            if handed is not None:
                return handed
        form = ReviewForm(scan=scan, user=request.user)
    elif request.method == "POST" and "reject" in request.POST:
        reject_form = RejectForm(request.POST)
        if reject_form.is_valid():
            return reject(request, scan, reject_form.cleaned_data["reason"])
        form = ReviewForm(scan=scan, user=request.user)
    elif request.method == "POST" and form.is_valid():
        saved = save_or_report(form, lambda data: accept(request, scan, data))
        if saved is not None:
            messages.success(request, _("Card %(number)s saved.") % {"number": saved.card_number})
            return redirect(f"{reverse('capture:next')}?after={scan.pk}")
        form.put_errors_in_tab_order()
    elif request.method == "POST":
        form.put_errors_in_tab_order()
    elif request.method == "GET":
        AuditEvent.record(user=request.user, action=AuditEvent.Action.VIEW, obj=scan)
        if scan.status == Scan.Status.NEEDS_REVIEW and scan.reading.get("aligned"):
            # Bound to the reader's values, so invalid ones show their error at once.
            form = ReviewForm(initial_data(form), scan=scan, user=request.user)
            form.is_valid()
            form.put_errors_in_tab_order()
    upcoming = next_in_queue(request.user, after=scan.pk)
    return render(
        request,
        "capture/review.html",
        {
            "scan": scan,
            "form": form,
            "reject_form": reject_form,
            "hand_over_form": hand_over_form,
            "reject_reasons": COMMON_REJECT_REASONS,
            "upcoming": upcoming,
            "waiting": visible_scans(request.user).needing_review().count(),
            "editable": scan.status == Scan.Status.NEEDS_REVIEW,
            "passports": passports_shown(scan),
        },
    )


def passports_shown(scan: Scan) -> list[dict]:
    """The passport MRZs the operator compares with the card: the scan's own when it is a
    passport page, the one on the card's page, and the passport pages scanned after the card.
    Each: {"scan": the passport page or None, "mrz": {format, valid, lines, …}, "own": bool,
    "applied": whether its values went into the card}."""
    if scan.is_passport_page:
        return [{"scan": scan, "mrz": scan.reading.get("mrz") or {}, "own": True, "applied": False}]
    shown = []
    if scan.reading.get("mrz"):
        mrz = scan.reading["mrz"]
        shown.append({"scan": None, "mrz": mrz, "own": False, "applied": bool(mrz.get("valid"))})
    note = scan.reading.get("passport") or {}
    for page in scan.passport_pages.order_by("upload_id", "page"):
        shown.append(
            {
                "scan": page,
                "mrz": page.reading.get("mrz") or {},
                "own": False,
                "applied": note.get("scan") == page.pk and bool(note.get("applied")),
            }
        )
    return shown


def initial_data(form: ReviewForm) -> dict:
    """The form's initial values as submitted data (strings, '' for none)."""
    return {
        name: "" if form.initial.get(name) is None else str(form.initial[name])
        for name in form.fields
    }


def accept(request, scan: Scan, data: dict):
    try:
        return services.scan_accept(scan=scan, operator=request.user, values=data).crossing
    except services.ScanNotWaiting:
        raise ValidationError(_("This scan was handled meanwhile.")) from None


def reject(request, scan: Scan, reason: str):
    try:
        services.scan_reject(scan=scan, operator=request.user, reason=reason)
    except services.ScanNotWaiting:
        messages.info(request, _("This scan was handled meanwhile."))
    else:
        messages.success(request, _("Scan %(id)d rejected.") % {"id": scan.pk})
    return redirect(f"{reverse('capture:next')}?after={scan.pk}")


def hand_over(request, scan: Scan, form: HandOverForm):
    """Hand the scan to its border point's centre; None (errors on the form) when refused."""
    point = form.cleaned_data["border_point"]
    try:
        services.scan_hand_over(
            scan=scan,
            operator=request.user,
            border_point=point.pk,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as refused:
        for field, errors in refused.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    except services.ScanNotWaiting:
        messages.info(request, _("This scan was handled meanwhile."))
    else:
        messages.success(
            request,
            _("Scan %(id)d handed over to %(centre)s.") % {"id": scan.pk, "centre": point.centre},
        )
    return redirect(f"{reverse('capture:next')}?after={scan.pk}")


@capture_roles
@cache_control(private=True, max_age=3600)
def page_image(request, pk: int):
    """The page for the review screen: the card upright as the reader aligned it, or with
    ?original the file as scanned (permission-checked, never a public URL)."""
    scan = get_scan_for_user(request.user, pk)
    upright = scan.reading.get("upright")
    if upright and "original" not in request.GET:
        from django.core.files.storage import default_storage

        return _file_response(upright, default_storage.open(upright, "rb"))
    if not scan.image:
        raise Http404
    return _file_response(scan.image.name, scan.image.open("rb"))


@capture_roles
@cache_control(private=True, max_age=3600)
def crop_image(request, pk: int, field: str):
    """One field's crop, as the reader cut it from the page."""
    scan = get_scan_for_user(request.user, pk)
    name = scan.fields.get(field, {}).get("crop")
    if not name:
        raise Http404
    from django.core.files.storage import default_storage

    return _file_response(name, default_storage.open(name, "rb"))


def _file_response(name: str, handle) -> FileResponse:
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
