"""Central intake: a station's file arrives, is checked, and enters the capture pipeline once."""

import hashlib
import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from django.db import transaction

from safar.capture.models import Upload
from safar.capture.services import (
    ACCEPTED_EXTENSIONS,
    MAX_UPLOAD_BYTES,
    UploadRefused,
    clean_file_name,
    receive_upload,
)
from safar.core.models import AuditEvent, Office
from safar.reading.limits import PageTooLarge, UnreadableImage, check_pages

from .models import RefusedUpload, Station
from .reasons import Params, key_of_text, page_reason, reason_text

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 64 * 1024
# Bodies up to this size stay in memory while they arrive; larger ones go to a temporary file.
SPOOL_BYTES = 1024 * 1024


class Refusal(Exception):
    """The file is refused for good: resending the same bytes would be refused again.

    `key` and `params` name the reason (stations.reasons) and `message` is its text in the
    active language, for the station; a reason known only as a text has the key ""."""

    def __init__(self, code: str, key: str, params: Params | None = None, *, message: str = ""):
        self.code = code
        self.key = key
        self.params = params or {}
        self.message = message or reason_text(key, self.params)
        super().__init__(self.message)


class IncompleteBody(Exception):
    """Fewer bytes arrived than announced: the sender went away; nothing is recorded."""


@dataclass(frozen=True)
class IntakeResult:
    upload: Upload
    created: bool


def is_held(sha256: str, *, station: Station) -> bool:
    """Whether intake already holds this file from the station's centre (lets an agent skip a
    resend). Another centre's copy does not count and is not revealed: files are de-duplicated
    per centre (docs/capture.md)."""
    return Upload.objects.filter(sha256=sha256, centre=station.centre_id).exists()


def intake_file(
    *, station: Station, name: str, sha256: str, body: BinaryIO, length: int
) -> IntakeResult:
    """Receive `length` bytes from `body` as the file `name` sent by `station`.

    The bytes are hashed as they arrive and spooled to disk beyond 1 MB. A file already held is
    acknowledged without a second copy; otherwise it is checked (size, type, readable) and handed
    to capture's receive_upload, which stores it in the station's batch of the day and queues it
    for reading. Control characters are taken out of the name (kept and refused alike). Raises
    Refusal (recorded as a RefusedUpload) or IncompleteBody.
    """
    name = clean_file_name(name)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        digest = _spool_body(body, length, spool)
        if digest == sha256:
            held = Upload.objects.filter(sha256=digest, centre=station.centre_id).first()
            if held is not None:
                return IntakeResult(held, False)
        try:
            _check(name=name, sha256=sha256, digest=digest, length=length, spool=spool)
            spool.seek(0)
            received = receive_upload(
                content=spool.read(),
                name=name,
                centre=station.centre,
                station=station,
                sha256=sha256,
            )
        except Refusal as refusal:
            _record_refusal(station, name, sha256, length, refusal)
            raise
        except UploadRefused as exc:  # a rule of the capture pipeline this intake does not know
            refusal = Refusal(
                RefusedUpload.Code.CORRUPT, key_of_text(str(exc)) or "", message=str(exc)
            )
            _record_refusal(station, name, sha256, length, refusal)
            raise refusal from exc
    return IntakeResult(received.upload, received.created)


def _spool_body(body: BinaryIO, length: int, spool) -> str:
    """Copy the body into `spool` (only up to the size limit; the rest is read and dropped, so
    the sender hears the refusal instead of a reset connection) and return its SHA-256."""
    hasher = hashlib.sha256()
    remaining = length
    kept = 0
    while remaining > 0:
        chunk = body.read(min(CHUNK, remaining))
        if not chunk:
            raise IncompleteBody
        remaining -= len(chunk)
        hasher.update(chunk)
        if kept <= MAX_UPLOAD_BYTES:
            spool.write(chunk)
            kept += len(chunk)
    return hasher.hexdigest()


def _check(*, name: str, sha256: str, digest: str, length: int, spool) -> None:
    codes = RefusedUpload.Code
    if digest != sha256:
        raise Refusal(codes.HASH_MISMATCH, "hash_mismatch")
    if length == 0:
        raise Refusal(codes.EMPTY, "empty")
    if length > MAX_UPLOAD_BYTES:
        raise Refusal(codes.TOO_LARGE, "too_large", {"mb": MAX_UPLOAD_BYTES // 2**20})
    if PurePath(name).suffix.lower() not in ACCEPTED_EXTENSIONS:
        raise Refusal(codes.WRONG_TYPE, "wrong_type")
    spool.seek(0)
    extension = PurePath(name).suffix.lower()
    data = spool.read()
    try:
        check_pages(data)
        readable = _readable(extension, data)
    except PageTooLarge as exc:
        raise Refusal(codes.TOO_MANY_PIXELS, *page_reason(exc)) from None
    except UnreadableImage:
        readable = False
    if not readable:
        raise Refusal(codes.CORRUPT, "unreadable", {"type": extension.lstrip(".").upper()})


def _readable(extension: str, data: bytes) -> bool:
    """Check the file the way the readers will open it, so a truncated or damaged scan is
    refused now, while the station still has it, rather than failing later in the pipeline —
    without decoding whole pages in the request (their sizes are checked before this): a PNG's
    chunks and checksums, a JPEG decoded at 1/8 of its size, a TIFF's strips within the file."""
    if extension == ".pdf":
        return _readable_pdf(data)
    from PIL import Image

    expected = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF", ".tiff": "TIFF"}
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != expected.get(extension):
                return False
            if image.format == "TIFF":
                return _tiff_strips_inside(image, len(data))
            if image.format == "JPEG":
                image.draft("L", (max(1, image.width // 8), max(1, image.height // 8)))
                image.load()  # at 1/8 scale: every byte is read, 1/64 of the pixels are made
                return True
            image.verify()  # PNG: every chunk and its checksum, up to IEND
    except Exception:  # noqa: BLE001 - Pillow raises many types for damaged files
        return False
    return True


def _tiff_strips_inside(image, size: int) -> bool:
    """Whether every page's image data (strips or tiles) lies inside the file: a TIFF cut short
    points past its end. Read from each page's directory, nothing decoded."""
    page = 0
    while True:
        tags = image.tag_v2
        offsets = _as_tuple(tags.get(273) or tags.get(324))  # StripOffsets, TileOffsets
        counts = _as_tuple(tags.get(279) or tags.get(325))  # StripByteCounts, TileByteCounts
        if not offsets or len(offsets) != len(counts):
            return False
        if any(o + c > size for o, c in zip(offsets, counts, strict=True)):
            return False
        page += 1
        try:
            image.seek(page)
        except EOFError:
            return True


def _readable_pdf(data: bytes) -> bool:
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        return False
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return False
    try:
        return len(document) > 0
    finally:
        document.close()


def _as_tuple(value) -> tuple:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def _record_refusal(
    station: Station, name: str, sha256: str, length: int, refusal: Refusal
) -> None:
    RefusedUpload.objects.create(
        station=station,
        original_name=PurePath(name).name[:255],
        sha256=sha256 if SHA256_RE.match(sha256) else "",
        size=length,
        code=refusal.code,
        reason_key=refusal.key,
        reason_params=refusal.params,
        reason=refusal.message,
    )


@transaction.atomic
def register_station(*, name: str, centre_code: str, by=None) -> tuple[Station, str]:
    """Create a station at a border centre and issue its first token (returned raw, once).

    `by` is the administrator who registered it on the web (None from the command line)."""
    centre = Office.objects.filter(code=centre_code, kind=Office.Kind.BORDER_CENTRE).first()
    if centre is None:
        raise ValueError(f"no border centre with code {centre_code!r}")
    if Station.objects.filter(name=name).exists():
        raise ValueError(f"a station named {name!r} already exists")
    station = Station.objects.create(name=name, centre=centre)
    token, raw = station.issue_token()
    AuditEvent.record(
        user=by,
        action=AuditEvent.Action.CREATE,
        obj=station,
        changes={"centre": [None, centre.code], "token": [None, token.prefix]},
    )
    return station, raw


@transaction.atomic
def issue_station_token(*, station: Station) -> str:
    """A further token for a station (a replaced PC); earlier tokens stay valid until revoked."""
    token, raw = station.issue_token()
    AuditEvent.record(
        user=None,
        action=AuditEvent.Action.UPDATE,
        obj=station,
        changes={"token": [None, token.prefix]},
    )
    return raw


@transaction.atomic
def revoke_tokens(*, key: str, by=None) -> list[str]:
    """Revoke the active tokens of the station named `key`, or the token starting with `key`.

    Returns the revoked tokens' prefixes (empty when nothing matched). `by` is the administrator
    who revoked them on the web (None from the command line).
    """

    from .models import StationToken

    tokens = StationToken.objects.filter(revoked_at__isnull=True).select_related("station")
    by_name = tokens.filter(station__name=key)
    matched = (
        list(by_name)
        if by_name.exists()
        else (list(tokens.filter(prefix__startswith=key)) if len(key) >= 4 else [])
    )
    if not by_name.exists() and len({t.station_id for t in matched}) > 1:
        raise ValueError(f"{key!r} starts tokens of several stations; give more of it")
    return _revoke(matched, by=by)


@transaction.atomic
def revoke_station_tokens(*, station: Station, by=None) -> list[str]:
    """Revoke every active token of `station` (the web page's action: by the station itself, so
    a name that looks like another station's token prefix revokes nothing else)."""
    return _revoke(list(station.tokens.filter(revoked_at__isnull=True)), by=by)


def _revoke(tokens: list, *, by) -> list[str]:
    from django.utils import timezone

    now = timezone.now()
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        AuditEvent.record(
            user=by,
            action=AuditEvent.Action.UPDATE,
            obj=token.station,
            changes={"token revoked": [token.prefix, None]},
        )
    return [token.prefix for token in tokens]
