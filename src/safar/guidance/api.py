"""`POST /api/bancheck`: the re-entry ban self-check as JSON (public, no login, no CSRF).

The case is read by the same parser as the CLI and the web form (bancheck.parse_case), which
names every wrong field at once; the OpenAPI document describes the case for clients. Nothing
posted is stored or logged. Rate-limited per client address (views._rate_limited).
"""

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema

from safar.core.api import ApiError, ErrorBody, loads

from .bancheck import InvalidCase, answer, parse_case
from .models import current_rulebook
from .views import API_MAX_BYTES, API_RATE_WINDOW, _rate_limited, today

router = Router(tags=["guidance"])

_DATE = {"type": "string", "format": "date", "description": "YYYY-MM-DD, 1950-01-01 … 2100-12-31"}
_OPEN_DATE = {**_DATE, "type": ["string", "null"]}


def _rows(properties: dict, required: list[str]) -> dict:
    return {
        "type": "array",
        "maxItems": 200,
        "items": {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        },
    }


def _kinds(*kinds: str) -> dict:
    return {"type": "string", "enum": list(kinds)}


CASE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "as_of": {**_OPEN_DATE, "description": "The day to judge on; default today."},
        "stays": _rows({"entry": _DATE, "exit": _OPEN_DATE}, ["entry"]),
        "permits": _rows(
            {
                "kind": _kinds(
                    "patent",
                    "work_permit",
                    "temporary_residence",
                    "residence_permit",
                    "study",
                    "other",
                ),
                "from": _DATE,
                "to": _DATE,
            },
            ["kind", "from", "to"],
        ),
        "offences": _rows(
            {
                "decided_on": _DATE,
                "kind": _kinds("migration", "public_order", "traffic", "other"),
            },
            ["decided_on", "kind"],
        ),
        "removals": _rows(
            {"on": _DATE, "kind": _kinds("expulsion", "deportation", "readmission")},
            ["on", "kind"],
        ),
        "convictions": _rows({"on": _DATE, "expunged_on": _OPEN_DATE}, ["on"]),
    },
}


class Ban(Schema):
    ground: str
    basis: str
    mandatory: bool
    starts_on: str
    ends_on: str | None
    years: int | None


class StayAnswer(Schema):
    entry: str
    exit: str | None
    days: int
    overstay_days: int


class Answer(Schema):
    entry_possible_from: str | None
    bans: list[Ban]
    stays: list[StayAnswer]
    explanation: dict[str, str]


class Problem(Schema):
    field: str
    code: str
    message: str


class CaseErrors(ErrorBody):
    problems: list[Problem] = []


@router.post(
    "/bancheck",
    response={200: Answer, 400: CaseErrors, 405: ErrorBody, 413: ErrorBody, 429: ErrorBody},
    auth=None,
    url_name="bancheck",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": CASE_SCHEMA}}}
    },
)
def bancheck(request: HttpRequest):
    """Whether, and from when, a re-entry ban keeps the person out; explained in tg, ru, en."""
    if _rate_limited(request):
        raise ApiError(
            429,
            "throttled",
            "Too many checks from this address; try again in a minute.",
            headers={"Retry-After": str(API_RATE_WINDOW)},
        )
    if len(request.body) > API_MAX_BYTES:
        raise ApiError(413, "too_large", f"The request is larger than {API_MAX_BYTES} bytes.")
    data = loads(request.body)
    try:
        case = parse_case(data, today=today())
    except InvalidCase as invalid:
        fields: dict[str, list[str]] = {}
        for problem in invalid.problems:
            fields.setdefault(problem.path, []).append(problem.message)
        raise ApiError(
            400,
            "invalid",
            "The input has errors.",
            fields,
            extra={"problems": [p.as_json() for p in invalid.problems]},
        ) from None
    return JsonResponse(answer(case, current_rulebook()), json_dumps_params={"ensure_ascii": False})
