from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .navigation import links_for
from .roles import requires_two_factor


def optional_url(name: str) -> str | None:
    """The URL of a page another app may not have (the footer shows it once it exists)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request):
    """Values every page needs: the languages for the switcher and the links the user may follow
    (composed from what each app registered in safar.core.navigation)."""
    user = getattr(request, "user", None)
    links = links_for(user) if user is not None and user.is_authenticated else []
    if links and requires_two_factor(user) and not getattr(user, "is_verified", lambda: True)():
        links = []  # every page but the sign-in steps is closed until the code is given
    # The current section: the longest link that starts the current path.
    path = getattr(request, "path", "")
    current = max((url for _key, url, _label in links if path.startswith(url)), key=len, default="")
    return {
        "safar_languages": settings.LANGUAGES,
        "safar_nav": [
            {"key": key, "url": url, "label": label, "current": url == current}
            for key, url, label in links
        ],
        "safar_public_guide_url": optional_url("guidance:index"),
    }
