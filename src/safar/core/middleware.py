"""No-store on personal pages. (API tokens are authenticated by the API layer, core/api.py,
on /api/ only: a token opens no page.)"""

from django.utils.cache import patch_cache_control


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
