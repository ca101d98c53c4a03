"""Two-factor sign-in (TOTP, with one-time recovery codes) for those who hold the keys.

Administrators, and any user whose roles grant a permission registered as sensitive (see
`safar.core.roles.SENSITIVE_PERMISSIONS`), must confirm a code from an authenticator app after
their password. At their first sign-in they enrol: the page shows the secret as a QR code and as
text, the user types a code to prove the app works, and receives ten recovery codes, shown once.

django-otp keeps the devices (TOTP and static recovery codes), throttles wrong codes and marks
the session as verified; this module adds the enrolment pages and the rule of who must use it.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEvent
from .roles import requires_two_factor

RECOVERY_CODES = 10
ENROL_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
SESSION_NEW_CODES = "safar_new_recovery_codes"

# Paths a signed-in user who still owes a code may open: the 2FA pages themselves, signing out,
# the language switch and static files.
EXEMPT_PREFIXES = ("/two-factor/", "/logout/", "/i18n/", "/static/", "/api/")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = devices
        self.device = None

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).lower()
        for device in self.devices:
            if device.verify_token(code):
                self.device = device
                return code
        raise forms.ValidationError(_("This code is not valid. Try the next one."), code="wrong")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _step_url(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def _pending_totp(user) -> TOTPDevice:
    """The user's unconfirmed authenticator, created on first visit; kept across reloads so the
    QR code does not change under the user's phone."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=ENROL_DEVICE_NAME, confirmed=False)
    return device


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


def _secret_text(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def _issue_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    """First sign-in of a user who must use two factors: connect an authenticator app."""
    user = request.user
    if user_has_device(user):
        return redirect(_step_url("two_factor_verify", request))
    device = _pending_totp(user)
    form = CodeForm(request.POST or None, devices=[device])
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _issue_recovery_codes(user)
            AuditEvent.record(
                user=user,
                action=AuditEvent.Action.CREATE,
                object_type="two_factor",
                object_id=user.pk,
                changes={"device": "totp"},
            )
        otp_login(request, device)
        request.session[SESSION_NEW_CODES] = codes
        return redirect(_step_url("two_factor_recovery", request))
    context = {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),
        "secret": _secret_text(device),
        "next": _next_url(request),
    }
    return render(request, "core/two_factor_enrol.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Every later sign-in: a code from the authenticator app, or one of the recovery codes."""
    user = request.user
    if not user_has_device(user):
        return redirect(_step_url("two_factor_enrol", request))
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    form = CodeForm(request.POST or None, devices=devices)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        if isinstance(form.device, StaticDevice):
            AuditEvent.record(
                user=user,
                action=AuditEvent.Action.VIEW,
                object_type="two_factor",
                object_id=user.pk,
                changes={"recovery_code_used": True},
            )
        return redirect(_next_url(request))
    return render(
        request, "core/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@never_cache
@login_required
def recovery(request):
    """The recovery codes, shown once right after enrolment (or after asking for new ones)."""
    if request.method == "POST" and request.user.is_verified():
        request.session[SESSION_NEW_CODES] = _issue_recovery_codes(request.user)
        return redirect(_step_url("two_factor_recovery", request))
    codes = request.session.pop(SESSION_NEW_CODES, None)
    return render(
        request, "core/two_factor_recovery.html", {"codes": codes, "next": _next_url(request)}
    )


class TwoFactorMiddleware:
    """Sends a signed-in user who must use two factors to enrol or to type a code before any
    other page, the admin included. Runs after django-otp's OTPMiddleware. API requests are
    authenticated by tokens, not sessions, and are left to the API layer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and requires_two_factor(user)
            and not user.is_verified()
        ):
            step = "two_factor_verify" if user_has_device(user) else "two_factor_enrol"
            return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
