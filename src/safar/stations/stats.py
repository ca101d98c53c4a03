"""Intake figures, shared by `safar intake stats` and the directorate's dashboard.

Definitions (docs/stations.md repeats them):
- scans: files received through station intake (one per distinct SHA-256; a resend is not
  counted twice), whatever became of them since;
- by_station: the same count per station name, every registered station listed;
- pending: of those, files no reader has opened yet (upload status "received");
- today: files received since midnight, Asia/Dushanbe;
- failed: files the readers could not open;
- refused: files intake refused (they never became scans);
- pages: the pages cut from station files, by their status in the capture pipeline.
"""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from safar.capture.models import Scan

from .models import RefusedUpload, Station, start_of_today


def page_counts_by_station() -> dict[int, dict[str, int]]:
    """{station id: {scan status: pages}} for pages cut from station files."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Scan.objects.filter(upload__batch__station__isnull=False)
        .values_list("upload__batch__station", "status")
        .annotate(n=Count("id"))
    )
    for station_id, status, n in rows:
        counts[station_id][status] = n
    return counts


def refusal_counts_by_station() -> dict[int, dict[str, int]]:
    """{station id: {"today": n, "week": n, "total": n}} of refused files."""
    today, week_ago = start_of_today(), timezone.now() - timedelta(days=7)
    rows = RefusedUpload.objects.values("station").annotate(
        total=Count("id"),
        week=Count("id", filter=Q(at__gte=week_ago)),
        today=Count("id", filter=Q(at__gte=today)),
    )
    return {row.pop("station"): row for row in rows}


def intake_stats() -> dict:
    """The figures of `safar intake stats --json` (see the module docstring)."""
    stations = list(Station.objects.with_intake_counts().order_by("name"))
    pages: dict[str, int] = defaultdict(int)
    for by_status in page_counts_by_station().values():
        for status, n in by_status.items():
            pages[status] += n
    return {
        "scans": sum(s.files for s in stations),
        "by_station": {s.name: s.files for s in stations},
        "pending": sum(s.pending for s in stations),
        "today": sum(s.files_today for s in stations),
        "failed": sum(s.failed for s in stations),
        "refused": RefusedUpload.objects.count(),
        "pages": dict(sorted(pages.items())),
    }
