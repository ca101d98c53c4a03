"""The pieces of the one JSON API (django-ninja) that every app's router uses.

- the error shape: every 4xx (and the rare 5xx) is
  `{"error": {"code": "…", "message": "…", "fields": {"name": ["…"]}}}`, never an HTML page;
- a strict JSON parser: a number too big to be a count or a date part (a 5,000-digit integer,
  `1e400`) and `NaN`/`Infinity` are a 400, not a 500 deeper down;
- the ways a client proves who it is: the web session (with CSRF for unsafe methods) and
  `Authorization: Token …` (ApiToken). Other schemes (stations) subclass `HeaderSchemeAuth`.

core imports no domain app: `safar.api` collects the routers the apps name in their AppConfig
(`api_router = "safar.reports.api:router"`) and mounts one NinjaAPI at /api/.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import URLPattern, URLResolver, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, APIKeyHeader

from .models import ApiToken
from .roles import requires_two_factor

logger = logging.getLogger("safar.api")

# A JSON integer longer than this is refused: nothing in the API counts past 10^18, and Python
# refuses to convert integers over 4,300 digits anyway (with a ValueError that was a 500).
MAX_INTEGER_DIGITS = 18

# Where ninja says an input came from; the field name is what follows.
PARAM_SOURCES = {"query", "path", "header", "cookie", "form", "file"}


# --- the error shape -------------------------------------------------------------------------


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorBody(Schema):
    """The body of every API error."""

    error: ErrorDetail


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def error_response(
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    *,
    extra: dict | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    """An API error in the one shape; `extra` adds top-level keys older clients read."""
    response = JsonResponse(
        {**error_body(code, message, fields), **(extra or {})},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class ApiError(HttpError):
    """Raise in an endpoint to answer with the error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, list[str]] | None = None,
        *,
        extra: dict | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status, str(message))
        self.code, self.fields, self.extra, self.headers = code, fields or {}, extra, headers

    def response(self) -> JsonResponse:
        return error_response(
            self.status_code,
            self.code,
            self.message,
            self.fields,
            extra=self.extra,
            headers=self.headers,
        )


# The responses every endpoint may give besides its own success, for the OpenAPI document.
ERRORS = {400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 405: ErrorBody}


def field_name(loc: Iterable[Any]) -> str:
    """ninja's location of an error as one name: ("query", "from") -> "from",
    ("body", "payload", "stays", 0, "entry") -> "stays[0].entry"."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:]  # "body" and the endpoint's parameter name
    elif parts and parts[0] in PARAM_SOURCES:
        parts = parts[1:]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def validation_fields(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        message = _("This field is required.") if error.get("type") == "missing" else error["msg"]
        fields.setdefault(field_name(error.get("loc", ())), []).append(str(message))
    return fields


def _on_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return error_response(
        400, "invalid", _("The request has errors."), validation_fields(exc.errors)
    )


def _on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    if isinstance(exc, ApiError):
        return exc.response()
    if isinstance(exc, AuthenticationError):
        return error_response(
            401,
            "unauthenticated",
            _("Authentication required."),
            headers={"WWW-Authenticate": "Token"},
        )
    if isinstance(exc, AuthorizationError):
        return error_response(403, "forbidden", _("You may not do this."))
    codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 429: "throttled"}
    return error_response(exc.status_code, codes.get(exc.status_code, "error"), str(exc))


def _on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return error_response(404, "not_found", _("Not found."))


def _on_too_big(request: HttpRequest, exc: Any) -> HttpResponse:
    return error_response(413, "too_large", _("The request body is too large."))


def _on_server_error(request: HttpRequest, exc: Any) -> HttpResponse:
    # Logged with its traceback for the operators; the client gets the shape and no details.
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "server_error", _("The server failed; the error was logged."))


# --- strict JSON -----------------------------------------------------------------------------


class InvalidJson(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(
            400, "invalid_json", _("The body is not valid JSON: %(detail)s") % {"detail": detail}
        )


def _strict_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise InvalidJson(_("a number has more than %(n)s digits") % {"n": MAX_INTEGER_DIGITS})
    return int(text)


def _strict_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidJson(_("a number is too large"))
    return value


def _no_constant(name: str):
    raise InvalidJson(_("%(name)s is not a number") % {"name": name})


def loads(body: bytes | str) -> Any:
    """JSON as the API accepts it: UTF-8, no NaN/Infinity, no huge numbers. Raises InvalidJson."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return json.loads(
            text, parse_int=_strict_int, parse_float=_strict_float, parse_constant=_no_constant
        )
    except UnicodeDecodeError:
        raise InvalidJson(_("it is not UTF-8")) from None
    except json.JSONDecodeError as exc:
        raise InvalidJson(str(exc)) from None


class StrictParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        return loads(request.body)


# --- who is asking ---------------------------------------------------------------------------


class HeaderSchemeAuth(APIKeyHeader):
    """`Authorization: <Scheme> <secret>`. A header of another scheme is not ours (None, so
    another way may apply) unless `required`; a wrong secret of our scheme is a 401."""

    param_name = "Authorization"
    scheme = ""
    invalid_message = ""
    required = False

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        prefix = f"{self.scheme} "
        if not key or not key.startswith(prefix):
            if self.required:
                raise self.refused("unauthenticated")
            return None
        found = self.check(request, key.removeprefix(prefix).strip())
        if found is None:
            raise self.refused("invalid_token")
        return found

    def refused(self, code: str) -> ApiError:
        return ApiError(401, code, self.invalid_message, headers={"WWW-Authenticate": self.scheme})

    def check(self, request: HttpRequest, secret: str) -> Any:
        raise NotImplementedError


class RoleCheck:
    """For a way of signing in: a user it finds who fails `allowed` is refused with a 403 before
    the request's parameters are read, so a user without the role learns nothing more."""

    def __init__(self, allowed: Callable[[Any], bool] | None = None, message: Any = "") -> None:
        self.allowed, self.forbidden_message = allowed, message
        super().__init__()

    def admit(self, user: Any) -> Any:
        if user is not None and self.allowed is not None and not self.allowed(user):
            raise ApiError(
                403, "forbidden", str(self.forbidden_message or _("You may not do this."))
            )
        return user


class TokenAuth(RoleCheck, HeaderSchemeAuth):
    """`Authorization: Token …`: an API token; its user is request.user for this request only."""

    scheme = "Token"

    @property
    def invalid_message(self) -> str:  # type: ignore[override]
        return _("Invalid, expired or revoked API token.")

    def check(self, request: HttpRequest, secret: str):
        token = ApiToken.authenticate(secret, now=timezone.now())
        if token is None:
            return None
        request.user = token.user
        request.api_token = token  # type: ignore[attr-defined]
        return self.admit(token.user)


def _no_response(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def _csrf_refused(request: HttpRequest) -> bool:
    """Whether Django's CSRF check refuses this request (the same check a form's POST gets)."""
    return CsrfViewMiddleware(_no_response).process_view(request, _no_response, (), {}) is not None


class SessionAuth(RoleCheck, APIKeyCookie):
    """The web session; an unsafe method must also carry the CSRF token, as a form would."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            if _csrf_refused(request):
                raise ApiError(403, "csrf_failed", _("The CSRF token is missing or wrong."))
        return request.COOKIES.get(self.param_name, "")

    def authenticate(self, request: HttpRequest, key: str | None):
        user = request.user
        if not user.is_authenticated:
            return None
        # The two-factor middleware leaves /api/ to this layer: a session that still owes its
        # second factor opens no more of the API than of the pages.
        if requires_two_factor(user) and not getattr(user, "is_verified", lambda: False)():
            raise ApiError(
                403, "two_factor_required", _("Complete the sign-in with your second factor.")
            )
        return self.admit(user)


def user_auth(allowed: Callable[[Any], bool] | None = None, message: Any = "") -> list:
    """A signed-in user, by API token or web session (the token first: a token request is the
    token's user), who passes `allowed` (403 `message` otherwise)."""
    return [TokenAuth(allowed, message), SessionAuth(allowed, message)]


USER_AUTH = user_auth()


# --- the API ---------------------------------------------------------------------------------


def build_api(routers: Iterable[tuple[str, Any]]) -> NinjaAPI:
    """One NinjaAPI with the error shape, the strict parser and the staff-only docs page."""
    api = NinjaAPI(
        title="Safar API",
        version="1",
        description=(
            "Reports, the re-entry ban check and the stations' intake. Errors: "
            '`{"error": {"code", "message", "fields"}}`.'
        ),
        urls_namespace="api",
        docs_url="/docs",
        openapi_url="/openapi.json",
        parser=StrictParser(),
    )
    api.add_exception_handler(ValidationError, _on_validation_error)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(Http404, _on_not_found)
    api.add_exception_handler(RequestDataTooBig, _on_too_big)
    api.add_exception_handler(Exception, _on_server_error)
    for prefix, router in routers:
        api.add_router(prefix, router)
    return api


def json_405(view: Callable) -> Callable:
    """ninja answers a method a path does not take with an empty 405: give it the shape."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = error_response(
                405,
                "method_not_allowed",
                _("Method %(method)s is not allowed here.") % {"method": request.method},
                headers={"Allow": allowed} if allowed else None,
            )
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapped


def docs_for_staff(view: Callable) -> Callable:
    """The browsable docs page for Safar's signed-in users (whoever may hold a token), after
    their second factor where they owe one; the OpenAPI document itself is public (it describes
    the API, and a client reads it before it has a session). Never a redirect loop: a signed-in
    user is let in or sent to the second step, not back to the login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if requires_two_factor(user) and not getattr(user, "is_verified", lambda: False)():
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('two_factor_verify')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped


def not_found(request, *args, **kwargs) -> JsonResponse:
    return error_response(404, "not_found", _("Not found."))


not_found.csrf_exempt = True  # type: ignore[attr-defined]


def api_urlpatterns(api: NinjaAPI) -> tuple[list, str]:
    """The API's URLs with JSON 405s, and a JSON 404 for any other path under the API."""
    patterns, app_name, _namespace = api.urls
    views = {
        "openapi-view": docs_for_staff,
        # ninja's root view only raises Http404 (an HTML page): keep its name, answer JSON.
        "api-root": lambda view: not_found,
    }
    wrapped: list[URLPattern | URLResolver] = []
    for p in patterns:
        if isinstance(p, URLPattern):
            wrap = views.get(p.name or "", json_405)
            p = URLPattern(p.pattern, wrap(p.callback), p.default_args, p.name)
        wrapped.append(p)
    wrapped.append(re_path(r"^.*$", not_found))
    return wrapped, app_name
