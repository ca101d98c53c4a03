"""Crossing registry pages: hand entry, search, a record with its history, correction, deletion.

Every view reads through the helpers in safar.crossings.access and writes through
safar.crossings.services, which record the audit trail and keep the report aggregates exact.
"""

import secrets
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from safar.core import history
from safar.core.models import AuditEvent
from safar.core.permissions import permission_required

from . import services
from .access import (
    can_delete_crossings,
    can_enter_crossings,
    get_crossing_for_delete,
    get_crossing_for_edit,
    get_crossing_for_user,
    sees_all_centres,
    visible_crossings,
)
from .forms import CrossingForm, SearchForm
from .models import Crossing, Direction, Sex

PAGE_SIZE = 25
OBJECT_TYPE = Crossing._meta.label_lower
# Kept from one card to the next when an operator keys a stack of cards from one shift.
CARRIED_OVER = ("direction", "crossed_on", "border_point")

registry_roles = permission_required("crossings.view_crossing")
entry_roles = permission_required("crossings.add_crossing")


@entry_roles
@require_http_methods(["GET", "POST"])
def enter(request):
    """Key in one migration card; "save and enter the next card" keeps point, date, direction."""
    if not can_enter_crossings(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = CrossingForm(request.POST, user=request.user)
        if form.is_valid():
            crossing = save_or_report(
                form,
                lambda data: services.create_crossing(
                    user=request.user, data={**data, "source": Crossing.Source.FORM}
                ),
            )
            if crossing is not None:
                messages.success(
                    request, _("Card %(number)s saved.") % {"number": crossing.card_number}
                )
                if "save_next" in request.POST:
                    values = form.service_data()
                    keep = {
                        "direction": values["direction"],
                        "crossed_on": values["crossed_on"].isoformat(),
                        "border_point": values["border_point"],
                    }
                    return redirect(f"{reverse('crossings:enter')}?{urlencode(keep)}")
                return redirect("crossings:detail", pk=crossing.pk)
    else:
        initial = {name: request.GET[name] for name in CARRIED_OVER if request.GET.get(name)}
        form = CrossingForm(user=request.user, initial=initial)
        if initial:
            # The shift's values are already there: start at the card number.
            form.fields["card_number"].widget.attrs["autofocus"] = True
    return render(request, "crossings/enter.html", {"form": form})


def save_or_report(form: CrossingForm, save):
    """Run a service with the form's data; turn a refusal into errors on the form."""
    try:
        return save(form.service_data())
    except IntegrityError:
        # Another operator stored the same card number a moment ago.
        form.add_error("card_number", _("This card number was stored meanwhile by someone else."))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
    return None


# The last searches a session can page through; older ones must be typed again.
SEARCHES_KEPT = 20


@registry_roles
@require_http_methods(["GET", "POST"])
def search(request):
    """Find cards by card number, passport number or name; every search is audited.

    The query is posted (with CSRF), kept in the session under a random id, and the results
    page is `?s=<id>`: passport numbers and names never appear in a URL, so never in a browser's
    history, a Referer or an access log, while the back button and paging work as for any page.
    """
    if request.method == "POST":
        form = SearchForm(request.POST)
        if form.is_valid() and form.cleaned_data["q"].strip():
            query = form.cleaned_data["q"].strip()
            AuditEvent.record(
                user=request.user,
                action=AuditEvent.Action.SEARCH,
                object_type=OBJECT_TYPE,
                query={"q": query},
            )
            return redirect(
                f"{reverse('crossings:search')}?{urlencode({'s': remember(request, query)})}"
            )
        return render(request, "crossings/search.html", {"form": form, "page": None})
    search_id = request.GET.get("s", "")
    query = request.session.get("searches", {}).get(search_id) if search_id else None
    if query is None:
        if search_id:
            messages.info(request, _("That search is no longer available; search again."))
        return render(request, "crossings/search.html", {"form": SearchForm(), "page": None})
    form = SearchForm({"q": query})
    form.is_valid()  # it was valid when it was posted
    found = (
        form.filter(visible_crossings(request.user))
        .select_related("border_point", "traveller", "country")
        .order_by("-crossed_on", "-id")
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "crossings/search.html",
        {
            "form": form,
            "page": page,
            "query_string": urlencode({"s": search_id}),
            "sees_all_centres": sees_all_centres(request.user),
        },
    )


def remember(request, query: str) -> str:
    """Keep `query` in the session under a new random id (the last SEARCHES_KEPT); the id."""
    searches = request.session.get("searches", {})
    search_id = secrets.token_urlsafe(9)
    searches[search_id] = query
    request.session["searches"] = dict(list(searches.items())[-SEARCHES_KEPT:])
    return search_id


@registry_roles
def detail(request, pk: int):
    """One card with the traveller's other (visible) crossings and the record's history."""
    crossing = get_crossing_for_user(request.user, pk)
    AuditEvent.record(user=request.user, action=AuditEvent.Action.VIEW, obj=crossing)
    others = (
        visible_crossings(request.user)
        .filter(traveller=crossing.traveller_id)
        .exclude(pk=crossing.pk)
        .select_related("border_point", "country")
        .order_by("crossed_on", "id")
    )
    return render(
        request,
        "crossings/detail.html",
        {
            "crossing": crossing,
            "others": others,
            "history": history_of(crossing),
            "can_edit": can_enter_crossings(request.user),
            "can_delete": can_delete_crossings(request.user),
            "scan": _scan_of(crossing, request.user),
        },
    )


def _scan_of(crossing, user):
    """The scanned card a machine-read crossing came from, when the user may see scans (its
    operators and administrators); None for a card typed in or imported, and for analysts."""
    from safar.capture.models import Scan  # capture builds on crossings: imported when used

    if not can_enter_crossings(user):  # the rule of capture.access.visible_scans
        return None
    return Scan.objects.visible_to(user).filter(crossing=crossing).first()


def field_labels() -> dict:
    labels = {field.name: field.verbose_name for field in Crossing._meta.fields}
    labels.update({name: field.label for name, field in CrossingForm.base_fields.items()})
    return labels


CHOICE_NAMES = {
    "direction": dict(Direction.choices),
    "sex": dict(Sex.choices),
    "source": dict(Crossing.Source.choices),
}


def described(changes: dict[str, list]) -> list[dict]:
    """{field: [old, new]} (as audit events keep them) as labelled rows for a page."""
    return history.described(changes, labels=field_labels(), choices=CHOICE_NAMES, model=Crossing)


def history_of(crossing: Crossing) -> list[dict]:
    """The record's changes, oldest first: who, when, and each field's old → new value."""
    return history.change_history(crossing, labels=field_labels(), choices=CHOICE_NAMES)


@entry_roles
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    """Correct a record; the same checks as entry, written through update_crossing."""
    crossing = get_crossing_for_edit(request.user, pk)
    form = CrossingForm(request.POST or None, user=request.user, instance=crossing)
    changed_meanwhile = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_or_report(
                form,
                lambda data: services.update_crossing(
                    user=request.user,
                    crossing=crossing,
                    data=data,
                    based_on=form.cleaned_data.get("version"),
                ),
            )
        except services.StaleCrossing as stale:
            # Saving would undo the other correction: nothing is saved, the page shows it.
            form.add_error(
                None,
                _(
                    "Someone else corrected this card after you opened it; nothing was saved. "
                    "Their changes are listed below: open the card again and repeat your "
                    "correction."
                ),
            )
            changed_meanwhile = described(stale.changes)
        else:
            if saved is not None:
                messages.success(
                    request, _("Card %(number)s corrected.") % {"number": saved.card_number}
                )
                return redirect("crossings:detail", pk=saved.pk)
    return render(
        request,
        "crossings/edit.html",
        {"form": form, "crossing": crossing, "changed_meanwhile": changed_meanwhile},
    )


@permission_required("crossings.delete_crossing")
@require_http_methods(["GET", "POST"])
def delete(request, pk: int):
    """Administrators only, after a confirmation page."""
    crossing = get_crossing_for_delete(request.user, pk)
    if request.method == "POST":
        number = crossing.card_number
        services.delete_crossing(user=request.user, crossing=crossing)
        messages.success(request, _("Card %(number)s deleted.") % {"number": number})
        return redirect("crossings:search")
    return render(request, "crossings/delete.html", {"crossing": crossing})
