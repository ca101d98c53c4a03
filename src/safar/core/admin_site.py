"""Safar's admin site: Safar's name in every title, and "access denied" for a signed-in user
who is not staff (Django would show them a second sign-in page, as if a password could help)."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


class SafarAdminSite(admin.AdminSite):
    site_header = _("Safar administration")
    site_title = _("Safar")
    index_title = _("Safar: data and users")

    def _deny_signed_in_non_staff(self, request) -> None:
        """Raise PermissionDenied (the project's 403 page) for a signed-in user who may not use
        the admin; anonymous visitors still get the admin's sign-in page."""
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request, *args, **kwargs):
            self._deny_signed_in_non_staff(request)
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request, extra_context=None):
        self._deny_signed_in_non_staff(request)
        return super().login(request, extra_context)


class SafarAdminConfig(AdminConfig):
    """django.contrib.admin with SafarAdminSite as `admin.site` (settings.INSTALLED_APPS)."""

    default_site = "safar.core.admin_site.SafarAdminSite"
