"""Workflows of the capture pipeline."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Batch, Upload

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


def receive_upload(*, content: bytes, name: str, centre, station=None, user=None,
                   sha256: str | None = None) -> Received:
    """Store a scanned file once and hand it to the readers.

    `sha256`, when the sender gives it, must match the content. A file already held is
    acknowledged without a second copy (created=False). Raises UploadRefused with the reason.
    """
    digest = hashlib.sha256(content).hexdigest()
    if sha256 is not None and sha256.lower() != digest:
        raise UploadRefused(_("The file's SHA-256 does not match: it was damaged on the way."))
    existing = Upload.objects.filter(sha256=digest).first()
    if existing is not None:
        return Received(existing, False)
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRefused(_("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // 2**20})
    if PurePath(name).suffix.lower() not in ACCEPTED_EXTENSIONS:
        raise UploadRefused(_("Only PNG, JPEG, TIFF and PDF files are accepted."))
    extension = _sniff_extension(content)
    if extension is None:
        raise UploadRefused(_("The file is not a readable PNG, JPEG, TIFF or PDF."))
    try:
        with transaction.atomic():
            batch, _created = Batch.objects.get_or_create(
                station=station, uploaded_by=None if station else user, centre=centre,
                day=timezone.localdate())
            upload = Upload(sha256=digest, batch=batch, original_name=PurePath(name).name[:255],
                            extension=extension, size=len(content))
            upload.file.save(upload_path_name(upload), ContentFile(content), save=False)
            upload.save()
            transaction.on_commit(lambda: _enqueue_reading(upload.pk))
    except IntegrityError:
        # The same file arrived twice at once: the other request stored it.
        return Received(Upload.objects.get(sha256=digest), False)
    return Received(upload, True)


def upload_path_name(upload: Upload) -> str:
    return f"{upload.sha256}{upload.extension}"


def _enqueue_reading(upload_id: int) -> None:
    """Hand the file to the background readers (see safar.capture.tasks)."""
    try:
        from .tasks import process_upload
    except ImportError:  # the reading pipeline is not installed yet
        return
    process_upload.enqueue(upload_id)
