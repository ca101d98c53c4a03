from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .permissions import can_enter_crossings, can_use_registry, sees_all_centres


def optional_url(name: str) -> str | None:
    """The URL of a page another app may not have yet (the nav shows it once it exists)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request):
    """Values every page needs: the languages for the switcher and the links the user may follow."""
    user = getattr(request, "user", None)
    links = []
    if user is not None and user.is_authenticated:
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import pgettext_lazy

        # A context keeps these apart from the admin's own "Home" and "Search".
        links.append(("home", reverse("home"), pgettext_lazy("site navigation", "Home")))
        if can_enter_crossings(user):
            links.append(("enter", optional_url("crossings:enter"), _("Enter a card")))
            links.append(("capture", optional_url("capture:overview"), _("Scans")))
        if can_use_registry(user):
            links.append(
                (
                    "search",
                    optional_url("crossings:search"),
                    pgettext_lazy("site navigation", "Search"),
                )
            )
        if user.has_role("analyst") or user.has_role("administrator"):
            links.append(("reports", optional_url("reports:index"), _("Reports")))
            links.append(("stations", optional_url("stations:dashboard"), _("Border stations")))
        if user.has_role("editor"):
            links.append(("guidance", optional_url("guidance:editor_list"), _("Guidance articles")))
        if user.has_role("administrator"):
            links.append(("admin", reverse("admin:index"), _("Administration")))
        links = [link for link in links if link[1]]
    # The current section: the longest link that starts the current path.
    path = getattr(request, "path", "")
    current = max((url for _key, url, _label in links if path.startswith(url)), key=len, default="")
    links = [
        {"key": key, "url": url, "label": label, "current": url == current}
        for key, url, label in links
    ]
    return {
        "safar_languages": settings.LANGUAGES,
        "safar_nav": links,
        "safar_sees_all_centres": bool(user and user.is_authenticated and sees_all_centres(user)),
        "safar_public_guide_url": optional_url("guidance:index"),
    }
