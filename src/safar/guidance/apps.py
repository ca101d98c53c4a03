from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidanceConfig(AppConfig):
    name = "safar.guidance"
    label = "guidance"
    verbose_name = _("Guidance for migrants: articles, stay calculator, ban rules")
    # Its JSON endpoints, mounted at /api/ by safar.api.
    api_router = "safar.guidance.api:router"

    def ready(self) -> None:
        from safar.core.navigation import HomeSection, Link, register
        from safar.core.roles import Scope, grant

        from .access import is_editor

        grant(
            "editor",
            app="guidance",
            scope=Scope.ALL,
            permissions=(
                "guidance.view_article",
                "guidance.add_article",
                "guidance.change_article",
            ),
        )

        register(
            Link(
                "guidance",
                "guidance:editor_list",
                _("Guidance articles"),
                allowed=is_editor,
                order=60,
            ),
            HomeSection("guidance/home_section.html", allowed=is_editor, order=70),
        )
