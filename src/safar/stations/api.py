"""The intake API the station agents talk to. Authenticated by `Authorization: Station <token>`.

Station tokens are not API tokens: core's TokenAuthenticationMiddleware only looks at the
`Token` scheme, and these views only at the `Station` scheme, so neither opens the other's door.
"""

import json
from functools import wraps
from urllib.parse import unquote

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from safar.capture.services import ACCEPTED_EXTENSIONS, MAX_UPLOAD_BYTES

from .models import RefusedUpload, Station
from .services import SHA256_RE, IncompleteBody, Refusal, intake_file, is_held

SCHEME = "Station "
NAME_HEADER = "X-Safar-Filename"
SHA_HEADER = "X-Safar-SHA256"

REFUSAL_STATUS = {
    RefusedUpload.Code.TOO_LARGE: 413,
    RefusedUpload.Code.WRONG_TYPE: 415,
}


def station_required(view):
    """Authenticate the station from its token, record the contact, pass it to the view."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        header = request.headers.get("Authorization", "")
        station = (
            Station.authenticate(header.removeprefix(SCHEME).strip())
            if header.startswith(SCHEME)
            else None
        )
        if station is None:
            return JsonResponse({"error": _("Invalid or revoked station token.")}, status=401)
        return view(request, station, *args, **kwargs)

    return wrapped


@csrf_exempt
@require_POST
@station_required
def hello(request, station: Station):
    """The agent's greeting and heartbeat: it reports its queue and learns the intake rules."""
    try:
        report = json.loads(request.body or b"{}")
        queued = int(report.get("queued")) if report.get("queued") is not None else None
        if queued is not None and queued < 0:
            raise ValueError
    except (ValueError, TypeError, AttributeError):
        return JsonResponse(
            {
                "error": _("The report is not valid JSON."),
                "fields": {"queued": _("A whole number of files, 0 or more.")},
            },
            status=400,
        )
    station.touch(queued=queued)
    return JsonResponse(
        {
            "station": station.name,
            "centre": station.centre.code,
            "max_bytes": MAX_UPLOAD_BYTES,
            "extensions": sorted(ACCEPTED_EXTENSIONS),
        }
    )


@csrf_exempt
@require_GET
@station_required
def held(request, station: Station, sha256: str):
    """Whether a file is already held: an agent asks before resending after a lost answer."""
    station.touch()
    return JsonResponse({"sha256": sha256, "held": is_held(sha256, station=station)})


@csrf_exempt
@require_POST
@station_required
def upload(request, station: Station):
    """One file as the raw request body; its name and SHA-256 in headers.

    201 stored, 200 already held, 4xx with {"error", "code", "refused": true} when refused for
    good (the agent sets the file aside), 400 with {"error", "fields"} for a malformed request.
    """
    station.touch()
    name = unquote(request.headers.get(NAME_HEADER, "")).strip()
    sha256 = request.headers.get(SHA_HEADER, "").strip().lower()
    fields = {}
    if not name or "/" in name or "\\" in name:
        fields[NAME_HEADER] = _("The file name, percent-encoded, without folders.")
    if not SHA256_RE.match(sha256):
        fields[SHA_HEADER] = _("The file's SHA-256 as 64 hexadecimal digits.")
    length = request.META.get("CONTENT_LENGTH") or ""
    if not length.isdigit():
        return JsonResponse(
            {
                "error": _("The request must give the body's Content-Length."),
                "fields": {"Content-Length": _("The file size in bytes.")},
            },
            status=411,
        )
    if fields:
        return JsonResponse(
            {"error": _("The request is incomplete."), "fields": fields}, status=400
        )
    try:
        result = intake_file(
            station=station, name=name, sha256=sha256, body=request, length=int(length)
        )
    except Refusal as refusal:
        return JsonResponse(
            {"error": refusal.message, "code": refusal.code, "refused": True},
            status=REFUSAL_STATUS.get(refusal.code, 422),
        )
    except IncompleteBody:
        return JsonResponse(
            {"error": _("The body ended before Content-Length bytes arrived.")}, status=400
        )
    return JsonResponse(
        {
            "status": "stored" if result.created else "already_held",
            "upload": result.upload.pk,
            "sha256": result.upload.sha256,
        },
        status=201 if result.created else 200,
    )
