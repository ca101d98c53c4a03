"""Workflows of the capture pipeline."""

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safar.core.models import AuditEvent, BorderPoint
from safar.crossings.rules import normalise_card_number
from safar.reading.limits import (
    MAX_PAGE_PIXELS,
    MAX_PAGES,
    PageTooLarge,
    UnreadableImage,
    check_pages,
)

from .models import Batch, Scan, Upload
from .training import keep_training_samples

ACCEPTED_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf"}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class UploadRefused(ValueError):
    """The file cannot enter the pipeline; the message says why, for the sender."""


@dataclass(frozen=True)
class Received:
    upload: Upload
    created: bool


def _sniff_extension(content: bytes) -> str | None:
    """The file type from its first bytes; the name alone is not trusted."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if content.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if content[:4] in (b"II*\x00", b"MM\x00*"):
        return ".tif"
    if content.startswith(b"%PDF-"):
        return ".pdf"
    return None


def clean_file_name(name: str) -> str:
    """The file name as it is kept and shown: its last path part, without control or format
    characters (a NUL, a line break, a right-to-left override that would disguise the
    extension), spaces collapsed, at most 255 characters."""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in str(name)
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return " ".join(PurePath(kept.replace("\\", "/")).name.split())[:255]


def check_page_pixels(content: bytes) -> None:
    """Refuse a file any page of which is too large to decode, from its header alone (a few
    hundred bytes can declare billions of pixels; see safar.reading.limits). Raises
    UploadRefused."""
    try:
        check_pages(content)
    except PageTooLarge as exc:
        raise UploadRefused(too_large_reason(exc)) from None
    except UnreadableImage:
        # Damaged, not too large: it is kept and becomes a scan an operator sees and rejects
        # (the pipeline's way with files it cannot open; station intake refuses them earlier).
        pass


def too_large_reason(exc: PageTooLarge) -> str:
    """What the sender is told about a page too large to decode (or a file of too many pages)."""
    if exc.size is None:
        return _("The file has more than %(count)d pages.") % {"count": MAX_PAGES}
    return _(
        "Page %(page)d is %(width)d × %(height)d pixels, too large to read: at most %(mp)d "
        "million pixels per page (an A4 page scanned at 600 dpi has 35 million)."
    ) % {
        "page": exc.size.number,
        "width": exc.size.width,
        "height": exc.size.height,
        "mp": MAX_PAGE_PIXELS // 1_000_000,
    }


def receive_upload(
    *, content: bytes, name: str, centre, station=None, user=None, sha256: str | None = None
) -> Received:
    """Store a scanned file once per centre and hand it to the readers.

    `sha256`, when the sender gives it, must match the content. A file this centre already holds
    is acknowledged without a second copy (created=False); another centre's copy of the same
    bytes is neither used nor revealed. Every page's size is checked from the header before
    anything is stored (a file whose pages are too large is refused), and control characters
    are taken out of the name. Raises UploadRefused with the reason.
    """
    digest = hashlib.sha256(content).hexdigest()
    if sha256 is not None and sha256.lower() != digest:
        raise UploadRefused(_("The file's SHA-256 does not match: it was damaged on the way."))
    existing = Upload.objects.filter(sha256=digest, centre=centre).first()
    if existing is not None:
        return Received(existing, False)
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20}
        )
    name = clean_file_name(name)
    if PurePath(name).suffix.lower() not in ACCEPTED_EXTENSIONS:
        raise UploadRefused(_("Only PNG, JPEG, TIFF and PDF files are accepted."))
    extension = _sniff_extension(content)
    if extension is None:
        raise UploadRefused(_("The file is not a readable PNG, JPEG, TIFF or PDF."))
    check_page_pixels(content)
    try:
        with transaction.atomic():
            batch, _created = Batch.objects.get_or_create(
                station=station,
                uploaded_by=None if station else user,
                centre=centre,
                day=timezone.localdate(),
            )
            upload = Upload(
                sha256=digest,
                centre=centre,
                batch=batch,
                original_name=name,
                extension=extension,
                size=len(content),
            )
            upload.file.save(upload_path_name(upload), ContentFile(content), save=False)
            upload.save()
            transaction.on_commit(lambda: _enqueue_reading(upload.pk))
    except IntegrityError:
        # The same file arrived twice at once: the other request stored it.
        return Received(Upload.objects.get(sha256=digest, centre=centre), False)
    return Received(upload, True)


def upload_path_name(upload: Upload) -> str:
    return f"{upload.sha256}{upload.extension}"


def _enqueue_reading(upload_id: int) -> None:
    """Hand the file to the background readers (see safar.capture.tasks)."""
    from .tasks import process_upload  # imported here: the tasks module imports this one

    process_upload.enqueue(upload_id)


# -- splitting and reading (called by the tasks) -------------------------------------------------

# R12's `capture` cube counts each scan's outcomes under these keys (key2), on the day the scan
# arrived, with the border centre's code as key. A review that confirms the reader's values
# without changing any is counted as `confirmed`, apart from `corrected`: both were touched by an
# operator, only `corrected` means the reader was wrong. A second scan of a card already saved
# with the same data is `duplicate`. See docs/capture.md.
OUTCOMES = ("scanned", "auto_accepted", "confirmed", "corrected", "duplicate", "rejected")


def count_outcome(scan: Scan, outcome: str) -> None:
    """Add the scan to R12's `capture` cube under `outcome` (in the caller's transaction)."""
    from safar.crossings.aggregates import add_to_cube

    assert outcome in OUTCOMES, outcome
    add_to_cube(
        cube="capture",
        day=scan.captured_on,
        key=scan.upload.batch.centre.code,
        key2=outcome,
        delta=1,
    )


@transaction.atomic
def record_pages(*, upload: Upload, pages) -> list[Scan]:
    """One Scan per page of the upload (once: a page already recorded is left as it is)."""
    scans = []
    for page in pages:
        scan, _created = Scan.objects.get_or_create(
            upload=upload,
            page=page.number,
            defaults={
                "image": page.image_name,
                "problem": page.problem,
                "problem_key": page.problem_key,
                "problem_params": page.problem_params,
            },
        )
        scans.append(scan)
    Upload.objects.filter(pk=upload.pk).update(
        status=Upload.Status.SPLIT, error="", error_key="", error_params={}
    )
    return scans


@transaction.atomic
def record_unreadable_upload(
    *, upload: Upload, problem: str, key: str = "", params: dict | None = None
) -> Scan:
    """A file that cannot be opened at all still becomes one scan in the review queue, so an
    operator sees it and rejects it with a reason (asking the station to scan again).

    `problem` is the reason in English; `key` and `params` name it (capture.problems), for each
    viewer's language."""
    params = params or {}
    Upload.objects.filter(pk=upload.pk).update(
        status=Upload.Status.FAILED, error=problem, error_key=key, error_params=params
    )
    scan, _created = Scan.objects.get_or_create(
        upload=upload,
        page=1,
        defaults={"problem": problem, "problem_key": key, "problem_params": params},
    )
    return scan


def start_attempt(item: Upload | Scan) -> int:
    """Count one more start of work on an upload or scan, committed at once (before the work,
    so a worker killed mid-way leaves the count); return the new count."""
    from django.db.models import F

    type(item).objects.filter(pk=item.pk).update(attempts=F("attempts") + 1)
    item.refresh_from_db(fields=["attempts"])
    return item.attempts


@transaction.atomic
def record_failed_upload(
    *, upload: Upload, problem: str, key: str = "", params: dict | None = None
) -> Upload:
    """The worker failed on the file as a whole: `failed` with the reason (in English, and as
    `key` and `params` of capture.problems), shown with the file; `safar capture-requeue
    --failed` splits it again."""
    Upload.objects.filter(pk=upload.pk).update(
        status=Upload.Status.FAILED, error=problem, error_key=key, error_params=params or {}
    )
    upload.refresh_from_db(fields=["status", "error", "error_key", "error_params"])
    return upload


@transaction.atomic
def record_failed_scan(
    *, scan: Scan, problem: str, key: str = "", params: dict | None = None
) -> Scan:
    """The worker failed on the page: `failed` with the reason (in English, and as `key` and
    `params` of capture.problems), for the scans page (a scan no longer received or read —
    handled meanwhile — is returned as it is)."""
    scan = locked(scan)
    if scan.status not in (Scan.Status.RECEIVED, Scan.Status.READ):
        return scan
    scan.status = Scan.Status.FAILED
    scan.problem = problem[:1000]
    scan.problem_key, scan.problem_params = key, params or {}
    scan.save(update_fields=["status", "problem", "problem_key", "problem_params"])
    return scan


@transaction.atomic
def retry_failed_scan(*, scan: Scan) -> Scan:
    """A failed scan back to where it failed (`received`, or `read` when its reading is kept),
    its attempts counted afresh; the caller queues `read_scan`."""
    scan = locked(scan)
    if scan.status != Scan.Status.FAILED:
        return scan
    scan.status = Scan.Status.READ if scan.read_at else Scan.Status.RECEIVED
    scan.problem, scan.problem_key, scan.problem_params = "", "", {}
    scan.attempts = 0
    scan.save(update_fields=["status", "problem", "problem_key", "problem_params", "attempts"])
    return scan


@transaction.atomic
def retry_failed_upload(*, upload: Upload) -> bool:
    """A file the worker failed to split (it has no pages) back to `received`; the caller
    queues `process_upload`. A file that could not be opened has its page in review: False."""
    return bool(
        Upload.objects.filter(pk=upload.pk, status=Upload.Status.FAILED, scans__isnull=True).update(
            status=Upload.Status.RECEIVED, error="", error_key="", error_params={}, attempts=0
        )
    )


@transaction.atomic
def record_reading(*, scan: Scan, reading: dict) -> Scan:
    """Keep what the reader found (status `read`) and count the scan in R12; `route_scan`
    then saves it or queues it (a separate step, so a routing that fails leaves a `read` scan to
    route again, not a page to read again). A scan no longer `received` is returned as it is.
    """
    scan = locked(scan)
    if scan.status != Scan.Status.RECEIVED:
        return scan
    scan.reading = reading
    scan.read_at = timezone.now()
    scan.status = Scan.Status.READ
    # The registry's spelling (safar.crossings.rules), so a scan finds the card stored as
    # `IM0000001` whether it was read as `im0000001` or `IM-0000001`.
    scan.card_number = normalise_card_number(
        str(reading.get("values", {}).get("card_number") or "")
    )[:16]
    scan.save(update_fields=["reading", "read_at", "status", "card_number"])
    if not scan.is_passport_page:
        # A passport page is not a card: counted only if it enters the queue without one.
        count_outcome(scan, "scanned")
    return scan


@transaction.atomic
def route_scan(*, scan: Scan) -> Scan:
    """Save a `read` scan whose every field is confident and valid; queue any other for review.

    A card number already in the registry is a duplicate scan when the data agree (marked, not
    saved twice) and a conflict for an operator when they differ.
    """
    from safar.crossings.models import Crossing

    scan = locked(scan)
    if scan.status != Scan.Status.READ:
        return scan
    reading = scan.reading
    if reading.get("reader_error"):
        return queue_for_review(scan, Scan.ReviewReason.READER_FAILED)
    if reading.get("unreadable"):
        return queue_for_review(scan, Scan.ReviewReason.UNREADABLE)
    if not reading.get("aligned"):
        return queue_for_review(scan, Scan.ReviewReason.NOT_ALIGNED)
    if not reading.get("confident"):
        return queue_for_review(scan, Scan.ReviewReason.DOUBTFUL)
    if not BorderPoint.objects.filter(
        pk=reading["values"].get("border_point"), centre=scan.upload.batch.centre_id
    ).exists():
        # A card of another centre's border point, or a misread one: an operator decides.
        scan.problem = "refused: border_point"
        return queue_for_review(scan, Scan.ReviewReason.REFUSED)
    existing = Crossing.objects.filter(card_number=scan.card_number).first()
    if existing is not None:
        values = {**reading["values"], "card_number": scan.card_number}
        if same_card(existing, values):
            return _mark_duplicate(scan, existing)
        return queue_for_review(scan, Scan.ReviewReason.CONFLICT)
    try:
        crossing = _save_crossing(scan=scan, user=None, data=reading["values"])
    except ValidationError as exc:
        # Only the names of the refused fields: the values are personal data.
        scan.problem = "refused: " + ", ".join(_error_fields(exc))
        return queue_for_review(scan, Scan.ReviewReason.REFUSED)
    scan.status = Scan.Status.SAVED
    scan.crossing = crossing
    scan.auto_accepted = True
    scan.save(update_fields=["status", "crossing", "auto_accepted", "problem"])
    count_outcome(scan, "auto_accepted")
    return scan


class ScanNotWaiting(Exception):
    """The scan was saved or rejected meanwhile (by another operator, or a second submit)."""


@transaction.atomic
def scan_accept(*, scan: Scan, operator, values: dict) -> Scan:
    """Save the operator's confirmed values as a crossing; keep which fields they changed.

    `values` are clean crossing values (the review form's `service_data()`). Raises
    ValidationError when the registry refuses them, ScanNotWaiting when the scan is not in review.
    """
    scan = locked(scan)
    if scan.status != Scan.Status.NEEDS_REVIEW:
        raise ScanNotWaiting
    corrected = corrected_fields(scan.reading.get("values", {}), values)
    crossing = _save_crossing(scan=scan, user=operator, data=values)
    scan.status = Scan.Status.SAVED
    scan.crossing = crossing
    scan.corrected_fields = corrected
    scan.card_number = crossing.card_number
    scan.reviewed_by = operator
    scan.reviewed_at = timezone.now()
    scan.save(
        update_fields=[
            "status",
            "crossing",
            "corrected_fields",
            "card_number",
            "reviewed_by",
            "reviewed_at",
        ]
    )
    count_outcome(scan, "corrected" if corrected else "confirmed")
    # Files are written once the crossing is committed: a refused save leaves no samples.
    transaction.on_commit(lambda: keep_training_samples(scan=scan, values=values))
    return scan


@transaction.atomic
def scan_reject(*, scan: Scan, operator, reason: str) -> Scan:
    """Reject a scan in review with the operator's reason (nothing is deleted)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the scan is rejected.")})
    scan = locked(scan)
    if scan.status != Scan.Status.NEEDS_REVIEW:
        raise ScanNotWaiting
    scan.status = Scan.Status.REJECTED
    scan.reject_reason = reason[:1000]
    scan.reviewed_by = operator
    scan.reviewed_at = timezone.now()
    scan.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    count_outcome(scan, "rejected")
    AuditEvent.record(
        user=operator,
        action=AuditEvent.Action.UPDATE,
        obj=scan,
        changes={"status": [Scan.Status.NEEDS_REVIEW, Scan.Status.REJECTED]},
    )
    return scan


@transaction.atomic
def scan_hand_over(*, scan: Scan, operator, border_point: str, reason: str) -> Scan:
    """Hand a scan in review over to the review queue of the centre that owns `border_point`
    (the point read on the card, or as the operator corrected it), with the operator's reason.

    The receiving centre's operators then see it, marked as handed over from this centre; its
    passport pages go with it. Raises ValidationError for a missing reason or a point that is not
    another centre's, ScanNotWaiting when the scan is no longer in review.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the scan is handed over.")})
    point = BorderPoint.objects.select_related("centre").filter(pk=border_point).first()
    if point is None:
        raise ValidationError({"border_point": _("Choose the border point on the card.")})
    scan = locked(scan)
    if scan.status != Scan.Status.NEEDS_REVIEW:
        raise ScanNotWaiting
    giver = scan.queue_centre
    if point.centre_id == giver.pk:
        raise ValidationError(
            {"border_point": _("This border point is of this centre: save the card here.")}
        )
    handed = {
        "handed_to": point.centre,
        "handed_from": giver,
        "handover_reason": reason[:300],
        "handed_over_by": operator,
        "handed_over_at": timezone.now(),
    }
    for name, value in handed.items():
        setattr(scan, name, value)
    scan.save(update_fields=list(handed))
    # The passport pages scanned after the card are compared with it: they go along.
    Scan.objects.filter(card_scan=scan).update(**handed)
    AuditEvent.record(
        user=operator,
        action=AuditEvent.Action.UPDATE,
        obj=scan,
        changes={"centre": [giver.code, point.centre.code], "reason": reason[:300]},
    )
    return scan


def locked(scan: Scan) -> Scan:
    """The scan as it is now, its row locked until the transaction ends."""
    return (
        Scan.objects.select_for_update(of=("self",))
        .select_related("upload__batch__centre")
        .get(pk=scan.pk)
    )


def queue_for_review(scan: Scan, reason: str) -> Scan:
    """The operators' queue, with the reason they see (the scan is locked by the caller)."""
    scan.status = Scan.Status.NEEDS_REVIEW
    scan.review_reason = reason
    scan.save(update_fields=["status", "review_reason", "problem"])
    return scan


def _mark_duplicate(scan: Scan, crossing) -> Scan:
    scan.status = Scan.Status.SAVED
    scan.duplicate_of = crossing
    scan.save(update_fields=["status", "duplicate_of"])
    count_outcome(scan, "duplicate")
    return scan


def _save_crossing(*, scan: Scan, user, data: dict):
    """The crossing through the registry's write path, which keeps the report cubes and audits
    the new record; a second audit event on the scan names the crossing it became."""
    from safar.crossings.models import Crossing
    from safar.crossings.services import create_crossing

    crossing = create_crossing(
        user=user, data={**typed_values(data), "source": Crossing.Source.SCAN}
    )
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.UPDATE,
        obj=scan,
        changes={"status": [scan.status, Scan.Status.SAVED], "crossing": crossing.pk},
    )
    return crossing


DATE_FIELDS = ("crossed_on", "birth_date")


def typed_values(data: dict) -> dict:
    """Reader values as the registry takes them: ISO dates (as kept in JSON) become dates."""
    values = dict(data)
    for name in DATE_FIELDS:
        if isinstance(values.get(name), str):
            try:
                values[name] = date.fromisoformat(values[name])
            except ValueError:
                raise ValidationError({name: _("Not a valid date.")}) from None
    return values


def _error_fields(exc: ValidationError) -> list[str]:
    return sorted(exc.error_dict) if hasattr(exc, "error_dict") else ["__all__"]


def comparable(value) -> str:
    """A value as text for comparing the reader's guess with what was saved: dates in ISO form,
    codes and names upper-case without extra spaces."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        value = value.pk
    return " ".join(str(value).split()).upper()


def corrected_fields(read: dict, confirmed: dict) -> list[str]:
    """The crossing fields whose confirmed value differs from what the reader proposed."""
    return sorted(
        name for name, value in confirmed.items() if comparable(value) != comparable(read.get(name))
    )


def same_card(crossing, values: dict) -> bool:
    """Whether a read card says what the stored crossing says (fields the reader left empty
    are not compared: the region, for one, is derived from the district on saving)."""
    from safar.crossings.services import crossing_values

    stored = crossing_values(crossing)
    return all(
        comparable(stored.get(name)) == comparable(value)
        for name, value in values.items()
        if comparable(value)
    )
