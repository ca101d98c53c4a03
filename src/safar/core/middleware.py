"""Token authentication for the JSON API, and no-store on personal pages."""

from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .models import ApiToken


class TokenAuthenticationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header.startswith("Token "):
            user = ApiToken.authenticate(header.removeprefix("Token ").strip())
            if user is None:
                return JsonResponse({"error": _("Invalid or revoked API token.")}, status=401)
            request.user = user
            # A token client sends no cookies, so CSRF does not apply to it.
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer to a signed-in user (pages with names, passport
    numbers, reports) and on every answer to a POST (the stay calculator's results): no browser
    or proxy keeps a copy on a shared computer's disk. Static files never reach this middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method == "POST" or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response
