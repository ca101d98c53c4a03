"""The one JSON API at /api/: the routers the apps name in their AppConfig, on core's NinjaAPI.

An app offers endpoints by setting `api_router = "safar.<app>.api:router"` on its AppConfig;
this module (outside core, which imports no domain app) collects them in INSTALLED_APPS order.
"""

from collections.abc import Iterator

from django.apps import apps
from django.utils.module_loading import import_string
from ninja import Router

from safar.core.api import api_urlpatterns, build_api


def app_routers() -> Iterator[tuple[str, Router]]:
    """("", router) for every installed app that declares one; the routers hold full paths."""
    for config in apps.get_app_configs():
        target = getattr(config, "api_router", None)
        if target:
            yield "", import_string(target.replace(":", "."))


api = build_api(app_routers())
urls = api_urlpatterns(api)
