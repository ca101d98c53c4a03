"""The site shell: one home page per role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .models import AuditEvent
from .permissions import can_enter_crossings, can_use_registry, visible_crossings

RECENT_CARDS = 10


@login_required
def home(request):
    """Operators: enter a card, search, the centre's recent cards. Analysts: the reports.
    Administrators: administration. A user without a role is told to ask for one."""
    user = request.user
    context = {
        "can_enter": can_enter_crossings(user),
        "can_search": can_use_registry(user),
        "is_analyst": user.has_role("analyst") or user.has_role("administrator"),
        "is_administrator": user.has_role("administrator"),
        "is_editor": user.has_role("editor"),
        "has_no_role": not user.is_superuser and not user.role_names(),
        "reports": report_links(),
    }
    if context["can_enter"]:
        context["recent"] = (
            visible_crossings(user)
            .select_related("border_point")
            .order_by("-created_at", "-id")[:RECENT_CARDS]
        )
    if context["is_administrator"]:
        context["recent_events"] = AuditEvent.objects.select_related("user")[:8]
    return render(request, "core/home.html", context)


def report_links() -> list[dict]:
    """The standard reports (code, title, url) once the reports app serves their pages."""
    try:
        from safar.reports.standard import REPORTS
    except ImportError:
        return []
    from django.urls import NoReverseMatch, reverse

    links = []
    for code, report in REPORTS.items():
        try:
            url = reverse("reports:report", args=[code])
        except NoReverseMatch:
            return []
        links.append({"code": code, "title": report.TITLE, "url": url})
    return links
