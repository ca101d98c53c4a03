"""The MSC's daily page: log a contact keyboard-first, see the caller's history as the number
is typed, and the list of the centre's contacts."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safar.core.dates import parse_iso_date
from safar.core.models import AuditEvent, Country, Region

from .access import can_log_contacts, can_open_cases, mscs_for, require_helpdesk
from .models import Caller, Case, CasePerson, Category, Contact
from .phones import InvalidPhone, normalise_phone
from .services import CALLER_FIELDS, ContactInvalid, clean_contact, earlier_contacts, log_contact

LIST_DAYS = 7
LIST_LIMIT = 200
# One key each for the non-data calls (with the browser's access-key modifier, Alt or Alt+Shift).
QUICK_CALLS = (
    (Contact.CallType.SILENT, "1"),
    (Contact.CallType.HANG_UP, "2"),
    (Contact.CallType.PRANK, "3"),
    (Contact.CallType.TEST, "4"),
    (Contact.CallType.WRONG_NUMBER, "5"),
)


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date, dict[str, str]]:
    today = timezone.localdate()
    errors = {}
    values = {}
    for name, default in (("from", today - datetime.timedelta(days=LIST_DAYS - 1)), ("to", today)):
        text = request.GET.get(name, "")
        try:
            values[name] = parse_iso_date(text) if text else default
        except ValueError:
            values[name] = default
            errors[name] = _("Give a date as YYYY-MM-DD.")
    return values["from"], values["to"], errors


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    """The contacts of the user's MSC (or of a chosen MSC, for those who see several) in a
    period, newest first, with data and non-data calls counted apart."""
    require_helpdesk(request.user)
    start, end, errors = _period(request)
    mscs = list(mscs_for(request.user))
    # Only a centre the user may see is a filter (anything else, a NUL included, is ignored).
    chosen = request.GET.get("msc", "")
    if chosen not in {msc.code for msc in mscs}:
        chosen = ""
    found = Contact.objects.visible_to(request.user).filter(
        received_at__date__gte=start, received_at__date__lte=end
    )
    if chosen:
        found = found.filter(msc__code=chosen)
    counts = found.aggregate(
        data=Count("pk", filter=Q(call_type=Contact.CallType.DATA)),
        non_data=Count("pk", filter=~Q(call_type=Contact.CallType.DATA)),
    )
    by_type = dict(
        found.non_data_calls().values_list("call_type").annotate(n=Count("pk")).order_by()
    )
    rows = found.select_related("msc", "caller", "case").prefetch_related("categories")[:LIST_LIMIT]
    return render(
        request,
        "helpdesk/contacts.html",
        {
            "contacts": rows,
            "counts": counts,
            "non_data": [
                (label, by_type.get(value, 0))
                for value, label in Contact.CallType.choices
                if value != "data"
            ],
            "start": start,
            "end": end,
            "errors": errors,
            "mscs": mscs,
            "chosen": chosen,
            "limit": LIST_LIMIT,
            "can_log": can_log_contacts(request.user),
            "can_open_case": can_open_cases(request.user),
        },
    )


def _raw_from_post(request: HttpRequest) -> dict[str, Any]:
    """The form's fields in the shape `clean_contact` takes (the API's); a quick button sends
    only the centre, the channel and its call type (whatever was typed of a caller is dropped)."""
    post = request.POST
    quick = post.get("quick", "")
    raw: dict[str, Any] = {
        "msc": post.get("msc", ""),
        # Left empty, the time is the moment it is saved.
        "received_at": post.get("received_at", "") or timezone.now(),
        "channel": post.get("channel", ""),
        "call_type": quick or Contact.CallType.DATA,
    }
    if quick:
        return raw
    caller = {name: post.get(f"caller_{name}", "") for name in CALLER_FIELDS}
    raw |= {
        "caller": caller if caller["phone"] or caller["name"] else None,
        "about": post.get("about", ""),
        "migrant_location": post.get("migrant_location", ""),
        "categories": post.getlist("categories"),
        "outcome": post.get("outcome", ""),
        "duration_s": post.get("duration_s", ""),
        "notes": post.get("notes", ""),
    }
    return raw


def _form_context(request: HttpRequest, values, errors) -> dict:
    groups = Category.objects.filter(parent__isnull=True, active=True).prefetch_related("children")
    return {
        "mscs": list(mscs_for(request.user, "helpdesk.add_contact")),
        "values": values,
        "errors": errors,
        "groups": groups,
        "regions": Region.objects.all(),
        "countries": Country.objects.all(),
        "channels": Contact.Channel.choices,
        "abouts": Contact.About.choices,
        "outcomes": Contact.Outcome.choices,
        "sexes": Caller.Sex.choices,
        "age_bands": Caller.AgeBand.choices,
        "quick_calls": [(value, Contact.CallType(value).label, key) for value, key in QUICK_CALLS],
    }


@login_required
def new_contact(request: HttpRequest) -> HttpResponse:
    """The form to log a contact: the number first, the caller's history beside it, one key per
    non-data call. A form with errors comes back with everything typed kept."""
    if not can_log_contacts(request.user):
        raise PermissionDenied
    values: dict = {}
    errors: dict = {}
    if request.method == "POST":
        raw = _raw_from_post(request)
        try:
            data = clean_contact(raw, user=request.user, now=timezone.now())
        except ContactInvalid as exc:
            # "caller.phone" → "caller_phone": the form's field names, readable in templates.
            errors = {name.replace(".", "_"): found for name, found in exc.fields.items()}
            values = request.POST
        else:
            contact = log_contact(user=request.user, data=data)
            messages.success(
                request,
                _("Logged: %(type)s, %(channel)s.")
                % {
                    "type": Contact.CallType(contact.call_type).label,
                    "channel": Contact.Channel(contact.channel).label,
                },
            )
            # Back to an empty form for the next call, the channel kept; after a conversation
            # the form offers to open a case from it.
            after = f"&contact={contact.pk}" if contact.is_data_call else ""
            return redirect(f"{request.path}?channel={contact.channel}{after}")
    else:
        values = {"channel": request.GET.get("channel", Contact.Channel.PHONE)}
    status = 400 if errors else 200
    context = _form_context(request, values, errors)
    context["logged"] = _logged_contact(request)
    context["selected_categories"] = request.POST.getlist("categories") if errors else []
    return render(request, "helpdesk/new.html", context, status=status)


def _logged_contact(request: HttpRequest) -> Contact | None:
    """The conversation just logged (`?contact=`), when a case may be opened from it."""
    value = request.GET.get("contact", "")
    if request.method != "GET" or not value.isdigit() or len(value) > 18:
        return None
    if not can_open_cases(request.user):
        return None
    return (
        Contact.objects.visible_to(request.user)
        .data_calls()
        .filter(pk=int(value), case__isnull=True)
        .first()
    )


@login_required
@require_POST
def lookup(request: HttpRequest) -> JsonResponse:
    """The caller profiles and earlier contacts for a number, as it is being typed (POST, so
    the number stays out of URLs and logs), and the open cases of the people with that number."""
    require_helpdesk(request.user)
    try:
        phone = normalise_phone(request.POST.get("phone", ""))
    except InvalidPhone:
        return JsonResponse({"phone": None, "callers": [], "contacts": [], "open_cases": []})
    callers = Caller.objects.visible_to(request.user).filter(phone=phone).select_related("msc")
    earlier = earlier_contacts(request.user, phone)
    # The caller's open cases: those in which a person has this number (the coordinator, who
    # browses no cases, gets none).
    open_cases = (
        Case.objects.visible_to(request.user)
        .open()
        .filter(pk__in=CasePerson.objects.filter(phone=phone).values("case_id"))
        .order_by("-opened_at")[:20]
    )
    AuditEvent.record(
        user=request.user,
        action=AuditEvent.Action.SEARCH,
        object_type="helpdesk.caller",
        query={"by": "phone", "found": len(earlier)},
    )
    return JsonResponse(
        {
            "phone": phone,
            "callers": [
                {
                    "msc": c.msc.code,
                    "name": c.name,
                    # Unknown sex and age say nothing: left out rather than shown as "not known".
                    "sex": c.get_sex_display() if c.sex != Caller.Sex.UNKNOWN else "",
                    "age_band": (
                        c.get_age_band_display() if c.age_band != Caller.AgeBand.UNKNOWN else ""
                    ),
                    "region": c.region.name if c.region else "",
                    "district": c.district,
                }
                for c in callers
            ],
            "contacts": [
                {
                    "msc": c.msc.code,
                    "received_at": timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M"),
                    "channel": c.get_channel_display(),
                    "categories": [str(cat.name) for cat in c.categories.all()],
                    "outcome": c.get_outcome_display(),
                }
                for c in earlier
            ],
            "open_cases": [
                {
                    "number": case.number,
                    "type": case.get_case_type_display(),
                    "status": case.get_status_display(),
                    "url": reverse("helpdesk:case", args=[case.pk]),
                }
                for case in open_cases
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
