"""Rough timings of the MSC helpdesk with a year of demo contacts (docs/benchmarks.md).

    D=$(mktemp -d); SAFAR_DATA_DIR=$D PYTHONPATH=src:. .venv/bin/python scripts/helpdesk-timing.py

Runs on a fresh SQLite database in SAFAR_DATA_DIR (never ./var). Not yet a `safar bench` command.
"""

import datetime
import io
import json
import os
import statistics
import time

import django


def timed(call, n=30) -> tuple[float, float]:
    """(median, max) in milliseconds of `n` calls; every answer must be a success."""
    spent = []
    for _ in range(n):
        start = time.perf_counter()
        response = call()
        spent.append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 201), response.status_code
    return round(statistics.median(spent), 1), round(max(spent), 1)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safar.settings")
    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone
    from tests.conftest import make_user

    from safar.helpdesk import demo
    from safar.helpdesk.models import Contact

    call_command("migrate", verbosity=0)
    demo.DAYS = 365  # a year of contacts at the demo's daily rate
    start = time.perf_counter()
    demo.load_demo_contacts(io.StringIO())
    print("contacts", Contact.objects.count(), "loaded in s", round(time.perf_counter() - start, 1))
    client = Client()
    client.force_login(make_user("bench-consultant", "MSC-DU", "consultant"))
    phone = (
        Contact.objects.filter(msc__code="MSC-DU", caller__isnull=False)
        .values_list("caller__phone", flat=True)
        .first()
    )
    body = json.dumps(
        {
            "msc": "MSC-DU",
            "channel": "phone",
            "call_type": "data",
            "received_at": timezone.now().isoformat(),
            "caller": {"phone": phone},
            "categories": ["documents/patent"],
        }
    )
    month_ago = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    print("lookup ms", timed(lambda: client.post("/helpdesk/lookup/", {"phone": phone})))
    print(
        "POST /api/helpdesk/contacts ms",
        timed(lambda: client.post("/api/helpdesk/contacts", body, content_type="application/json")),
    )
    print("contacts page (7 days) ms", timed(lambda: client.get("/helpdesk/"), 10))
    print(
        "GET /api/helpdesk/contacts (30 days) ms",
        timed(lambda: client.get("/api/helpdesk/contacts", {"from": month_ago}), 10),
    )


if __name__ == "__main__":
    main()
