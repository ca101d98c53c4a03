"""Background work of the capture pipeline (Django's Tasks API; see docs/capture.md).

Two tasks, both idempotent, so a task that runs twice (a worker restarted mid-task, a file sent
again) changes nothing the second time:

- `process_upload`: split a received file into page images, one Scan per page, and queue each
  page for reading.
- `read_scan`: read one page (card reader, and the MRZ reader for a passport on the same page
  or a passport page) and hand the result to `services.record_reading`; `pairing.route_page`
  then saves the card or queues it for review, with the passport page scanned after it.

Reading never happens in a web request. To read faster, start more workers (`safar db_worker`):
the database backend hands each task to exactly one of them.

Neither task leaves its file or page stuck: an exception of any kind marks the upload or the
scan `failed` with the reason (the exception's type; its message could quote card data), and a
worker killed mid-task (out of memory) is caught by the attempts counter on the next run:
beyond MAX_ATTEMPTS starts, the upload or scan is marked `failed` instead of tried again.
`safar capture-requeue` queues unfinished work again, and with `--failed` retries failed work.
"""

import logging
import traceback

from django.db import transaction
from django.tasks import task

from . import pairing, services
from .models import Scan, Upload
from .pages import UnreadableFile, split_pages
from .reader import read_page

logger = logging.getLogger(__name__)

# Starts of one task on one file or page before it is given up as `failed`: a page that killed
# its worker twice will kill the next one too.
MAX_ATTEMPTS = 3


@task()
def process_upload(upload_id: int) -> int:
    """Split the upload into scans and queue them for reading; return the number of pages."""
    upload = Upload.objects.filter(pk=upload_id).select_related("batch").first()
    if upload is None:
        return 0
    if upload.status == Upload.Status.RECEIVED:
        attempts = services.start_attempt(upload)
        if attempts > MAX_ATTEMPTS:
            services.record_failed_upload(
                upload=upload,
                problem=f"the worker stopped while splitting it {attempts - 1} times",
                key="split_stopped",
                params={"count": attempts - 1},
            )
            _route_page_before(upload)
        else:
            _split(upload)
    waiting = list(upload.scans.filter(status=Scan.Status.RECEIVED).values_list("pk", flat=True))
    for scan_id in waiting:
        transaction.on_commit(lambda scan_id=scan_id: read_scan.enqueue(scan_id))
    return upload.scans.count()


def _split(upload: Upload) -> None:
    """Pages and their scans, or the file marked unreadable (an operator sees it) or failed."""
    try:
        pages = list(
            split_pages(
                path=upload.file.path,
                sha256=upload.sha256,
                extension=upload.extension,
                stored_name=upload.file.name,
            )
        )
        services.record_pages(upload=upload, pages=pages)
    except UnreadableFile as exc:
        logger.warning("upload %s could not be opened: %s", upload.pk, exc)
        services.record_unreadable_upload(
            upload=upload, problem=str(exc), key=exc.key, params=exc.params
        )
        return
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the file must not stay stuck
        _log_failure("splitting upload", upload.pk, exc)
        error = type(exc).__name__
        services.record_failed_upload(
            upload=upload,
            problem=f"the file could not be split ({error})",
            key="split_failed",
            params={"error": error},
        )
        _route_page_before(upload)


def _route_page_before(upload: Upload) -> None:
    """A file that failed has no pages: the last page of the batch's previous file, which waited
    to see whether this file begins with its passport, is routed now."""
    previous = (
        Upload.objects.filter(batch_id=upload.batch_id, pk__lt=upload.pk).order_by("-pk").first()
    )
    last = previous.scans.order_by("-page").first() if previous else None
    if last is not None and last.status == Scan.Status.READ:
        pairing.route_page(scan=last)


def _log_failure(what: str, pk: int, exc: BaseException) -> None:
    """The exception's type and frames, not its message: a message may quote card data."""
    logger.error(
        "%s %s failed: %s\n%s",
        what,
        pk,
        type(exc).__name__,
        "".join(traceback.format_tb(exc.__traceback__)),
    )


@task()
def read_scan(scan_id: int) -> str:
    """Read one page and route it; return the scan's status afterwards (`read` while it waits
    for the next page, which may be its passport). A scan already past `received` (read by this
    or another worker) is not read again."""
    scan = Scan.objects.filter(pk=scan_id).first()
    if scan is None:
        return ""
    # Only reading is counted: it is what can exhaust a worker, while a page may wait in `read`
    # (for the next page) through several runs of this task.
    attempts = services.start_attempt(scan) if scan.status == Scan.Status.RECEIVED else 0
    if attempts > MAX_ATTEMPTS:
        scan = services.record_failed_scan(
            scan=scan,
            problem=f"the worker stopped while reading it {attempts - 1} times",
            key="read_stopped",
            params={"count": attempts - 1},
        )
        _route_neighbours(scan)
    elif scan.status in (Scan.Status.RECEIVED, Scan.Status.READ):
        scan = _read_and_route(scan)
    logger.info("scan %s read: %s", scan.pk, scan.status)
    return scan.status


def _read_and_route(scan: Scan) -> Scan:
    try:
        if scan.status == Scan.Status.RECEIVED:
            scan = services.record_reading(scan=scan, reading=read_page(scan))
        if scan.status == Scan.Status.READ:
            scan = pairing.route_page(scan=scan)
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the page must not stay stuck
        _log_failure("scan", scan.pk, exc)
        step = "read" if scan.status == Scan.Status.RECEIVED else "routed"
        error = type(exc).__name__
        scan = services.record_failed_scan(
            scan=scan,
            problem=f"the page could not be {step} ({error})",
            key="read_failed" if step == "read" else "route_failed",
            params={"error": error},
        )
        _route_neighbours(scan)
    return scan


def _route_neighbours(scan: Scan) -> None:
    """A failed page is no longer awaited: the card before it (waiting to learn whether this
    page is its passport) and a passport page after it (waiting for its card) are routed."""
    if scan.status != Scan.Status.FAILED:
        return
    try:
        before = pairing.previous_page(scan)
        if isinstance(before, Scan) and before.status == Scan.Status.READ:
            pairing.route_page(scan=before)
        after = pairing.next_page(scan)
        if isinstance(after, Scan) and after.status == Scan.Status.READ and after.is_passport_page:
            pairing.route_page(scan=after)
    except Exception as exc:  # noqa: BLE001 - the neighbours' own tasks route them later
        _log_failure("routing the pages beside scan", scan.pk, exc)
