"""The services and referrals sections of a case page, as inclusion tags: whatever page includes
`helpdesk/case/_services.html` or `_referrals.html` with `case` in its context gets the lists and
forms with what they need (people, partners, the user's rights), and the errors and typed values
when a form came back (`service_errors`, `referral_errors`, … in the page's context)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from safar.core.models import Office
from safar.core.sensitive import hidden_fields

from ..models import Case, Referral, Service
from ..models.cases import PARTNER_KINDS

register = template.Library()


def _common(context) -> dict:
    request = context.get("request")
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "perms": context.get("perms"),
    }


@register.inclusion_tag("helpdesk/case/services_section.html", takes_context=True)
def services_section(context, case: Case) -> dict:
    user = context["request"].user
    open_case = not case.is_closed
    values = context.get("service_values") or {}
    today = timezone.localdate()
    return {
        **_common(context),
        "case": case,
        "services": case.services.select_related("person", "given_by"),
        "notes_hidden": "notes" in hidden_fields(Service, user),
        "people": case.people.all(),
        "kinds": Service.Kind.choices,
        "today": today,
        # A form that came back keeps what was typed; a new one proposes today.
        "given_on": values.get("given_on", "") if values else today.isoformat(),
        "can_add": open_case and user.has_perm("helpdesk.add_service"),
        "errors": context.get("service_errors") or {},
        "values": values,
        "is_barred": case.case_type == Case.Type.BARRED,
        "can_change_barred": user.has_perm("helpdesk.change_case"),
        "paths": Case.BarredPath.choices,
        "outcomes": Case.BarredOutcome.choices,
        "barred_errors": context.get("barred_errors") or {},
        "barred_values": context.get("barred_values")
        or {"barred_path": case.barred_path, "barred_outcome": case.barred_outcome},
    }


@register.inclusion_tag("helpdesk/case/referrals_section.html", takes_context=True)
def referrals_section(context, case: Case) -> dict:
    user = context["request"].user
    rows = []
    for referral in case.referrals.select_related("partner", "sent_by", "answered_by"):
        rows.append(
            {
                "referral": referral,
                "shared": [
                    str(Referral.Share(item).label)
                    for item in referral.shared
                    if item in Referral.Share.values
                ],
            }
        )
    values = context.get("referral_values") or {}
    return {
        **_common(context),
        "case": case,
        "rows": rows,
        "partners": Office.objects.filter(kind__in=PARTNER_KINDS).order_by("kind", "code"),
        "shares": Referral.Share.choices,
        "chosen_shares": context.get("referral_shared") or [],
        "can_send": not case.is_closed and user.has_perm("helpdesk.add_referral"),
        "can_override": user.has_perm("helpdesk.override_referral_consent"),
        "can_revoke": user.has_perm("helpdesk.change_referral"),
        "errors": context.get("referral_errors") or {},
        "values": values,
    }
