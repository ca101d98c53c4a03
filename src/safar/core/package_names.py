"""Names in the interface's languages for the apps and models of third-party packages.

django-axes, django-otp and django_tasks_db name their apps and some models with plain English
strings (no msgid), which the admin shows as they are ("Otp_Totp", "TOTP devices"). The core app
gives them names here, when Django is ready; the translations are in core's catalogues.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

APP_NAMES = {
    "axes": _("Sign-in protection"),
    "otp_static": _("Recovery codes"),
    "otp_totp": _("Authenticator apps"),
    "django_tasks_database": _("Background tasks"),
}
# app label, model name → (singular, plural)
MODEL_NAMES = {
    ("otp_static", "staticdevice"): (_("recovery code set"), _("recovery code sets")),
    ("otp_static", "statictoken"): (_("recovery code"), _("recovery codes")),
    ("otp_totp", "totpdevice"): (_("authenticator app"), _("authenticator apps")),
}


def name_package_apps() -> None:
    """Give the installed third-party apps and models above their translatable names."""
    for label, name in APP_NAMES.items():
        try:
            apps.get_app_config(label).verbose_name = name
        except LookupError:
            continue
    for (label, model_name), (singular, plural) in MODEL_NAMES.items():
        try:
            options = apps.get_model(label, model_name)._meta
        except LookupError:
            continue
        options.verbose_name, options.verbose_name_plural = singular, plural
