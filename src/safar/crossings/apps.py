from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

RECENT_CARDS = 10


def _tiles_context(request) -> dict:
    from .access import can_enter_crossings

    return {"can_enter": can_enter_crossings(request.user)}


def _recent_context(request) -> dict:
    from .access import visible_crossings

    recent = (
        visible_crossings(request.user)
        .select_related("border_point")
        .order_by("-created_at", "-id")[:RECENT_CARDS]
    )
    return {"recent": recent}


class CrossingsConfig(AppConfig):
    name = "safar.crossings"
    label = "crossings"
    verbose_name = _("Crossing registry")

    def ready(self) -> None:
        from safar.core.navigation import HomeSection, Link, register
        from safar.core.roles import Scope, grant

        from .access import can_enter_crossings, can_use_registry

        # Operators enter and correct the cards of their own centre; analysts read every
        # centre's; administrators (who receive every grant) also delete.
        grant(
            "operator",
            app="crossings",
            scope=Scope.ORGANISATION,
            permissions=(
                "crossings.view_crossing",
                "crossings.add_crossing",
                "crossings.change_crossing",
            ),
        )
        grant("analyst", app="crossings", scope=Scope.ALL, permissions=("crossings.view_crossing",))
        grant(
            "administrator",
            app="crossings",
            scope=Scope.ALL,
            permissions=("crossings.delete_crossing",),
        )

        register(
            Link(
                "enter", "crossings:enter", _("Enter a card"), allowed=can_enter_crossings, order=10
            ),
            Link(
                "search",
                "crossings:search",
                pgettext_lazy("site navigation", "Search"),
                allowed=can_use_registry,
                order=30,
            ),
            HomeSection(
                "crossings/home_tiles.html",
                allowed=can_use_registry,
                order=10,
                context=_tiles_context,
            ),
            HomeSection(
                "crossings/home_recent.html",
                allowed=can_enter_crossings,
                order=30,
                context=_recent_context,
            ),
        )
