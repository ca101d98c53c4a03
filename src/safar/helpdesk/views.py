"""The MSC's daily page: log a contact keyboard-first, see the caller's history as the number
is typed, and the list of the centre's contacts."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safar.core.dates import parse_iso_date
from safar.core.models import AuditEvent, Country, Region

from .access import can_log_contacts, can_open_cases, mscs_for, require_helpdesk
from .crossings_lookup import (
    LookupRefused,
    look_up_crossings,
    migrant_of,
    record_crossings_consent,
)
from .models import BanCheckResult, Caller, Case, CasePerson, Category, Contact
from .phones import InvalidPhone, normalise_phone
from .services import CALLER_FIELDS, ContactInvalid, clean_contact, earlier_contacts, log_contact
from .staycheck import BanCheckOutcome, clean_ban_check, run_ban_check

LIST_DAYS = 7
LIST_LIMIT = 200
# The trip rows the contact form shows at first, and the most it takes from a form.
TRIP_ROWS = 3
MAX_TRIP_ROWS = 50
ENTRY_BAN = "entry_ban/"
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
    rows = found.select_related("msc", "caller", "ban_check", "case").prefetch_related(
        "categories"
    )[:LIST_LIMIT]
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


def _ban_check_summary(contact: Contact) -> str:
    check = getattr(contact, "ban_check", None)
    return check.summary if check is not None else ""


def _raw_from_post(request: HttpRequest) -> dict[str, Any]:
    """The form's fields in the shape `clean_contact` takes (the API's); a quick button sends
    only the centre, the channel and its call type (whatever was typed of a caller is dropped)."""
    post = request.POST
    quick = post.get("quick", "")
    categories = post.getlist("categories")
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
        "categories": categories,
        "outcome": post.get("outcome", ""),
        "duration_s": post.get("duration_s", ""),
        "notes": post.get("notes", ""),
    }
    # The stay calculation is kept only for an entry-ban contact (its block is shown then);
    # trips typed before the category was unticked are dropped with the block.
    trips = [trip for _row, trip in _typed_trips(post)]
    if trips and any(code.startswith(ENTRY_BAN) for code in categories):
        raw["ban_check"] = {"trips": trips, "as_of": post.get("ban_as_of", "")}
    return raw


def _typed_trips(post) -> list[tuple[int, dict[str, str]]]:
    """The trip rows with something typed, each with its row's position in the form."""
    rows = zip(post.getlist("trip_entered"), post.getlist("trip_left"), strict=False)
    return [
        (row, {"entered": entered.strip(), "left": left.strip()})
        for row, (entered, left) in enumerate(list(rows)[:MAX_TRIP_ROWS])
        if entered.strip() or left.strip()
    ]


def _trip_rows(post, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The trip rows to show, as typed, each with its errors (the API names the typed trips
    `ban_check.trips[i]`; the form puts them back on the row they came from)."""
    typed = _typed_trips(post) if post else []
    by_row = {row: index for index, (row, _trip) in enumerate(typed)}
    rows = []
    count = max(TRIP_ROWS, (typed[-1][0] + 2) if typed else 0)
    entered, left = (post.getlist("trip_entered"), post.getlist("trip_left")) if post else ([], [])
    for row in range(min(count, MAX_TRIP_ROWS)):
        index = by_row.get(row)
        prefix = f"ban_check.trips[{index}]"
        rows.append(
            {
                "number": row + 1,
                "entered_id": f"id_trip_entered_{row}",
                "left_id": f"id_trip_left_{row}",
                "entered": entered[row] if row < len(entered) else "",
                "left": left[row] if row < len(left) else "",
                "entered_errors": errors.get(f"{prefix}.entered", []) if index is not None else [],
                "left_errors": (
                    errors.get(f"{prefix}.left", []) + errors.get(prefix, [])
                    if index is not None
                    else []
                ),
            }
        )
    return rows


def _guide_articles(selected: list[str]) -> list[dict[str, Any]]:
    """The published guide articles linked to the categories, each with the codes of its
    categories (the page shows an article while one of them is ticked)."""
    codes_of: dict[int, list[str]] = {}
    articles = {}
    links = Category.articles.through.objects.filter(
        category__active=True, article__published=True
    ).select_related("article")
    for link in links:
        articles[link.article_id] = link.article
        codes_of.setdefault(link.article_id, []).append(link.category_id)
    ordered = sorted(articles.values(), key=lambda a: (a.topic, a.position, a.slug))
    return [
        {
            "article": article,
            "codes": " ".join(sorted(codes_of[article.pk])),
            "shown": any(code in selected for code in codes_of[article.pk]),
        }
        for article in ordered
    ]


def _form_context(request: HttpRequest, values, errors) -> dict:
    groups = Category.objects.filter(parent__isnull=True, active=True).prefetch_related("children")
    selected = request.POST.getlist("categories") if errors else []
    guide_articles = _guide_articles(selected)
    return {
        "today": timezone.localdate(),
        "selected_categories": selected,
        "guide_articles": guide_articles,
        "guide_shown": any(item["shown"] for item in guide_articles),
        "ban_check_shown": any(code.startswith(ENTRY_BAN) for code in selected),
        "trip_rows": _trip_rows(request.POST if errors else None, errors),
        "ban_check_errors": errors.get("ban_check", []) + errors.get("ban_check.trips", []),
        "ban_as_of_errors": errors.get("ban_check.as_of", []),
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
            # "caller.phone" → "caller_phone": the form's field names, readable in templates
            # (the stay calculation's keep their names: _trip_rows puts them on their rows).
            errors = {
                name if name.startswith("ban_check") else name.replace(".", "_"): found
                for name, found in exc.fields.items()
            }
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
                    "ban_check": _ban_check_summary(c),
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


@login_required
@require_POST
def ban_check(request: HttpRequest) -> JsonResponse:
    """The stay calculator's answer for the trips typed in the contact form, before it is
    saved, for the consultant to read out (nothing is stored: saving the contact keeps it)."""
    if not can_log_contacts(request.user):
        raise PermissionDenied
    typed = _typed_trips(request.POST)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    data = clean_ban_check(
        {"trips": [trip for _row, trip in typed], "as_of": request.POST.get("ban_as_of", "")},
        default_as_of=today,
        today=today,
        errors=errors,
        prefix="ban_check",
    )
    if data is None:
        return JsonResponse(
            {"errors": _ban_check_messages(errors, [row for row, _trip in typed])},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    outcome = run_ban_check(data.case)
    return JsonResponse(
        {
            "summary": _summary(outcome, data.as_of),
            "explanation": outcome.explanation(_language()),
            "errors": [],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _language() -> str:
    return (get_language() or "tg")[:2]


def _summary(outcome: BanCheckOutcome, as_of: datetime.date) -> str:
    """The one line a kept calculation shows, for an answer not (yet) kept."""
    return BanCheckResult(
        as_of=as_of,
        days_in_window=outcome.days_in_window,
        overstay_days=outcome.overstay_days,
        verdict=outcome.verdict,
        ban_possible=outcome.ban_possible,
        ban_until=outcome.ban_until,
    ).summary


def _ban_check_messages(errors: dict[str, list[str]], rows: list[int]) -> list[str]:
    """The calculation's errors as lines to show: "Trip 2, left: …" for a row's field."""
    labels = {"entered": _("entered Russia"), "left": _("left Russia")}
    lines: list[str] = []
    for name, messages_list in errors.items():
        where = ""
        match = re.fullmatch(r"ban_check\.trips\[(\d+)\](?:\.(entered|left))?", name)
        if match:
            row = rows[int(match[1])] + 1 if int(match[1]) < len(rows) else int(match[1]) + 1
            where = _("Trip %(n)s") % {"n": row}
            if match[2]:
                where = f"{where}, {labels[match[2]]}"
        elif name == "ban_check.as_of":
            where = _("Date of the check")
        lines.extend(f"{where}: {message}" if where else message for message in messages_list)
    return lines


def crossings_section(user, case: Case) -> dict[str, Any]:
    """The context of `helpdesk/case/_crossings.html`, the case page's section for filling the
    stay calculator from the client's crossings (shown to those who may look them up)."""
    return {
        "case": case,
        "can_look_up_crossings": user.has_perm("helpdesk.look_up_crossings"),
        "crossings_consent_given": case.crossings_consent_at is not None,
        "crossings_migrant": migrant_of(case),
    }


@login_required
@require_POST
def case_crossings(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the client's consent (the box ticked) and, with it, fill the stay calculator from
    the client's crossings in the registry; the answer is shown, never stored (see
    crossings_lookup). The only MSC page that shows anything of the registry."""
    if not request.user.has_perm("helpdesk.look_up_crossings"):
        raise PermissionDenied
    case = get_object_or_404(Case.objects.visible_to(request.user), pk=pk)
    if request.POST.get("consent") == "yes" and case.crossings_consent_at is None:
        record_crossings_consent(case=case, user=request.user)
        case.refresh_from_db()
    context = crossings_section(request.user, case)
    status = 200
    try:
        lookup = look_up_crossings(case=case, user=request.user, today=timezone.localdate())
    except LookupRefused as refused:
        context["crossings_refusal"] = refused.message
        status = refused.status
    else:
        context["crossings_lookup"] = lookup
        if lookup.outcome is not None:
            context["crossings_summary"] = _summary(lookup.outcome, lookup.as_of)
            context["crossings_explanation"] = lookup.outcome.explanation(_language())
    return render(request, "helpdesk/case/crossings.html", context, status=status)
