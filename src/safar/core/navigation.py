"""What each app offers a signed-in user: menu links and sections of the home page.

`core` knows no domain app. Each app registers, in its AppConfig.ready(), the links and home
sections it offers and who may see them; the menu and the home page are composed from what the
user's roles allow. Adding a service app therefore touches no file of `core`:

    from safar.core.navigation import HomeSection, Link, register

    register(
        Link("reports", "reports:index", _("Reports"), allowed=can_read_reports, order=40),
        HomeSection("reports/home_section.html", allowed=can_read_reports, order=40,
                    context=lambda request: {"reports": report_links()}),
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

Allowed = Callable[[Any], bool]


@dataclass(frozen=True)
class Link:
    """A menu entry: `key` names it for tests and styles, `url_name` is reversed when shown."""

    key: str
    url_name: str
    label: Any
    allowed: Allowed
    order: int = 100


@dataclass(frozen=True)
class HomeSection:
    """A part of the home page: a template included with `context(request)` added to the page's."""

    template: str
    allowed: Allowed
    order: int = 100
    context: Callable[[Any], dict] = field(default=lambda request: {})


_links: dict[str, Link] = {}
_sections: dict[str, HomeSection] = {}


def register(*entries: Link | HomeSection) -> None:
    """Add links and home sections; registering the same key or template again replaces it."""
    for entry in entries:
        if isinstance(entry, Link):
            _links[entry.key] = entry
        else:
            _sections[entry.template] = entry


def links_for(user) -> list[tuple[str, str, Any]]:
    """(key, url, label) of every link the user may follow, in menu order."""
    shown = []
    for link in sorted(_links.values(), key=lambda item: (item.order, item.key)):
        if not link.allowed(user):
            continue
        try:
            shown.append((link.key, reverse(link.url_name), link.label))
        except NoReverseMatch:
            continue
    return shown


def sections_for(request) -> list[dict]:
    """The home sections the user may see, each as {"template", "context"}, in page order."""
    user = request.user
    return [
        {"template": section.template, "context": section.context(request)}
        for section in sorted(_sections.values(), key=lambda item: (item.order, item.template))
        if section.allowed(user)
    ]
