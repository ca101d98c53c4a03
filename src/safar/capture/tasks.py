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
"""

import logging

from django.db import transaction
from django.tasks import task

from . import pairing, services
from .models import Scan, Upload
from .pages import UnreadableFile, split_pages
from .reader import read_page

logger = logging.getLogger(__name__)


@task()
def process_upload(upload_id: int) -> int:
    """Split the upload into scans and queue them for reading; return the number of pages."""
    upload = Upload.objects.filter(pk=upload_id).select_related("batch").first()
    if upload is None:
        return 0
    if upload.status == Upload.Status.RECEIVED:
        try:
            pages = list(
                split_pages(
                    path=upload.file.path,
                    sha256=upload.sha256,
                    extension=upload.extension,
                    stored_name=upload.file.name,
                )
            )
        except UnreadableFile as exc:
            logger.warning("upload %s could not be opened: %s", upload.pk, exc)
            services.record_unreadable_upload(upload=upload, problem=str(exc))
        else:
            services.record_pages(upload=upload, pages=pages)
    waiting = list(upload.scans.filter(status=Scan.Status.RECEIVED).values_list("pk", flat=True))
    for scan_id in waiting:
        transaction.on_commit(lambda scan_id=scan_id: read_scan.enqueue(scan_id))
    return upload.scans.count()


@task()
def read_scan(scan_id: int) -> str:
    """Read one page and route it; return the scan's status afterwards (`read` while it waits
    for the next page, which may be its passport). A scan already past `received` (read by this
    or another worker) is not read again."""
    scan = Scan.objects.filter(pk=scan_id).first()
    if scan is None:
        return ""
    if scan.status == Scan.Status.RECEIVED:
        scan = services.record_reading(scan=scan, reading=read_page(scan))
    if scan.status == Scan.Status.READ:
        scan = pairing.route_page(scan=scan)
    logger.info("scan %s read: %s", scan.pk, scan.status)
    return scan.status
