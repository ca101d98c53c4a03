"""Token authentication for the JSON API: `Authorization: Token <raw token>`."""

from django.http import JsonResponse
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
