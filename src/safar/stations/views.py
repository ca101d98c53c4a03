"""The Information Directorate's view of the border stations."""

from itertools import groupby

from django.shortcuts import render

from safar.capture.models import Scan
from safar.core.permissions import permission_required

from .models import RefusedUpload, Station
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
