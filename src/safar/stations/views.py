"""The Information Directorate's view of the border stations."""

from itertools import groupby

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext

from safar.capture.models import Scan
from safar.core.permissions import permission_required

from .forms import StationForm
from .models import RefusedUpload, Station
from .services import register_station, revoke_station_tokens
from .stats import page_counts_by_station, refusal_counts_by_station

RECENT_REFUSALS = 20


@permission_required("stations.view_station")
def dashboard(request):
    """Per centre and station: last contact, files today, backlog, reading status, refusals.

    Shows counts and file names only, no card contents, so it is not written to the audit trail.
    """
    pages = page_counts_by_station()
    refusals = refusal_counts_by_station()
    stations = list(
        Station.objects.with_intake_counts()
        .select_related("centre")
        .order_by("centre__code", "name")
    )
    for station in stations:
        station.pages = [
            (Scan.Status(status).label, n)
            for status, n in sorted(pages.get(station.pk, {}).items())
        ]
        station.refused = refusals.get(station.pk, {"today": 0, "week": 0, "total": 0})
    centres = [(centre, list(rows)) for centre, rows in groupby(stations, key=lambda s: s.centre)]
    recent = RefusedUpload.objects.select_related("station")[:RECENT_REFUSALS]
    return render(
        request,
        "stations/dashboard.html",
        {
            "centres": centres,
            "recent_refusals": recent,
            "totals": {
                "files_today": sum(s.files_today for s in stations),
                "pending": sum(s.pending for s in stations),
                "refused_today": sum(s.refused["today"] for s in stations),
            },
        },
    )


@permission_required("stations.change_station")
def manage(request):
    """Administrators: every station with its centre, last contact and tokens (prefixes only)."""
    stations = (
        Station.objects.select_related("centre")
        .prefetch_related("tokens")
        .order_by("centre__code", "name")
    )
    return render(request, "stations/manage.html", {"stations": stations})


@permission_required("stations.change_station")
def add(request):
    """Register a station. Its token is in the answer to the POST and nowhere else: it is
    stored hashed, and the page is not cached (no-store), so it is shown exactly once."""
    form = StationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            station, raw = register_station(
                name=form.cleaned_data["name"],
                centre_code=form.cleaned_data["centre"].code,
                by=request.user,
            )
        except (ValueError, IntegrityError):  # registered meanwhile under the same name
            form.add_error("name", StationForm.duplicate_message)
        else:
            return render(request, "stations/added.html", {"station": station, "token": raw})
    return render(request, "stations/add.html", {"form": form})


@permission_required("stations.change_station")
def revoke(request, pk: int):
    """Ask, then revoke every active token of the station (its agent can no longer upload)."""
    station = get_object_or_404(Station.objects.select_related("centre"), pk=pk)
    if request.method == "POST":
        prefixes = revoke_station_tokens(station=station, by=request.user)
        messages.success(
            request,
            ngettext(
                "%(n)d token of %(station)s revoked.",
                "%(n)d tokens of %(station)s revoked.",
                len(prefixes),
            )
            % {"n": len(prefixes), "station": station.name},
        )
        return redirect("stations:manage")
    active = station.tokens.filter(revoked_at__isnull=True)
    return render(request, "stations/revoke.html", {"station": station, "active": active})
