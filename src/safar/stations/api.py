"""The intake API the station agents talk to. Authenticated by `Authorization: Station <token>`.

Station tokens are not API tokens: core's TokenAuth only answers the `Token` scheme, and
StationAuth only the `Station` scheme, so neither opens the other's door.

Agents in the field (safar-station-agent/1) read, from an error, the status and, on a refusal,
the top-level `refused` and `code`: these stay beside the API's error shape.
"""

from urllib.parse import unquote

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from safar.capture.services import ACCEPTED_EXTENSIONS, MAX_UPLOAD_BYTES
from safar.core.api import ERRORS, ApiError, ErrorBody, HeaderSchemeAuth, InvalidJson, loads

from .models import RefusedUpload, Station
from .services import SHA256_RE, IncompleteBody, Refusal, intake_file, is_held

NAME_HEADER = "X-Safar-Filename"
SHA_HEADER = "X-Safar-SHA256"

REFUSAL_STATUS = {
    RefusedUpload.Code.TOO_LARGE: 413,
    RefusedUpload.Code.WRONG_TYPE: 415,
}


class StationAuth(HeaderSchemeAuth):
    """`Authorization: Station …`: a scanner station's upload token; nothing else opens these."""

    scheme = "Station"
    required = True

    @property
    def invalid_message(self) -> str:  # type: ignore[override]
        return _("Invalid or revoked station token.")

    def check(self, request: HttpRequest, secret: str) -> Station | None:
        return Station.authenticate(secret)


router = Router(tags=["stations"], auth=StationAuth())


class Rules(Schema):
    station: str
    centre: str
    max_bytes: int
    extensions: list[str]


class Held(Schema):
    sha256: str
    held: bool


class Stored(Schema):
    status: str
    upload: int
    sha256: str


class Refused(ErrorBody):
    refused: bool
    code: str


HELLO_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "queued": {
                            "type": ["integer", "null"],
                            "minimum": 0,
                            "description": "Files waiting on the station.",
                        }
                    },
                }
            }
        },
    }
}

UPLOAD_REQUEST = {
    "parameters": [
        {
            "name": NAME_HEADER,
            "in": "header",
            "required": True,
            "description": "The file name, percent-encoded, without folders.",
            "schema": {"type": "string"},
        },
        {
            "name": SHA_HEADER,
            "in": "header",
            "required": True,
            "description": "The file's SHA-256 as 64 hexadecimal digits.",
            "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
        },
    ],
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    },
}


def _queued(request: HttpRequest) -> int | None:
    """The queue length the agent reports, from an optional JSON body {"queued": n}."""
    invalid = ApiError(
        400,
        "invalid",
        _("The report is not valid JSON."),
        {"queued": [_("A whole number of files, 0 or more.")]},
    )
    try:
        report = loads(request.body or b"{}")
    except InvalidJson:
        raise invalid from None
    if not isinstance(report, dict):
        raise invalid
    queued = report.get("queued")
    if queued is None:
        return None
    if isinstance(queued, bool) or not isinstance(queued, int | float | str):
        raise invalid
    try:
        number = int(queued)
    except ValueError:
        raise invalid from None
    if number < 0 or number != float(queued):
        raise invalid
    return number


@router.post(
    "/stations/hello", response={200: Rules, **ERRORS}, url_name="hello", openapi_extra=HELLO_BODY
)
def hello(request: HttpRequest):
    """The agent's greeting and heartbeat: it reports its queue and learns the intake rules."""
    station: Station = request.auth
    station.touch(queued=_queued(request))
    return JsonResponse(
        {
            "station": station.name,
            "centre": station.centre.code,
            "max_bytes": MAX_UPLOAD_BYTES,
            "extensions": sorted(ACCEPTED_EXTENSIONS),
        }
    )


@router.get("/stations/held/{sha256}", response={200: Held, **ERRORS}, url_name="held")
def held(request: HttpRequest, sha256: str):
    """Whether a file is already held: an agent asks before resending after a lost answer."""
    station: Station = request.auth
    station.touch()
    return JsonResponse({"sha256": sha256, "held": is_held(sha256, station=station)})


@router.post(
    "/stations/upload",
    response={
        200: Stored,
        201: Stored,
        **ERRORS,
        411: ErrorBody,
        413: Refused,
        415: Refused,
        422: Refused,
    },
    url_name="upload",
    openapi_extra=UPLOAD_REQUEST,
)
def upload(request: HttpRequest):
    """One file as the raw request body, streamed to disk; its name and SHA-256 in headers.

    201 stored, 200 already held; 413/415/422 with `"refused": true` and `code` when refused for
    good (the agent sets the file aside); 400 naming the fields for a malformed request.
    """
    station: Station = request.auth
    station.touch()
    name = unquote(request.headers.get(NAME_HEADER, "")).strip()
    sha256 = request.headers.get(SHA_HEADER, "").strip().lower()
    fields = {}
    if not name or "/" in name or "\\" in name:
        fields[NAME_HEADER] = [_("The file name, percent-encoded, without folders.")]
    if not SHA256_RE.match(sha256):
        fields[SHA_HEADER] = [_("The file's SHA-256 as 64 hexadecimal digits.")]
    length = request.META.get("CONTENT_LENGTH") or ""
    if not length.isdigit():
        raise ApiError(
            411,
            "length_required",
            _("The request must give the body's Content-Length."),
            {"Content-Length": [_("The file size in bytes.")]},
        )
    if fields:
        raise ApiError(400, "invalid", _("The request is incomplete."), fields)
    try:
        # The request is read as a stream: the body is never held in memory whole.
        result = intake_file(
            station=station, name=name, sha256=sha256, body=request, length=int(length)
        )
    except Refusal as refusal:
        raise ApiError(
            REFUSAL_STATUS.get(refusal.code, 422),
            refusal.code,
            refusal.message,
            extra={"refused": True, "code": refusal.code},
        ) from None
    except IncompleteBody:
        raise ApiError(
            400, "incomplete_body", _("The body ended before Content-Length bytes arrived.")
        ) from None
    return JsonResponse(
        {
            "status": "stored" if result.created else "already_held",
            "upload": result.upload.pk,
            "sha256": result.upload.sha256,
        },
        status=201 if result.created else 200,
    )
