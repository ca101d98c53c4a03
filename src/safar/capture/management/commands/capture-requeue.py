"""`safar capture-requeue`: queue again the files and scans a stopped worker left unfinished.

A worker killed in the middle of a task leaves that task marked as running for ever; the scan it
was reading stays `received` (or `read`). Both tasks are idempotent, so queueing them again is
safe even when the first attempt did finish meanwhile. A page or file that keeps killing its
worker is marked `failed` by its fourth start (see capture.tasks), so queueing again never loops.

`--failed` also tries again what the worker failed on (`failed` scans, and files it could not
split): after the cause was fixed, e.g. a worker given more memory or a bug corrected.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from safar.capture import services
from safar.capture.models import Scan, Upload
from safar.capture.tasks import process_upload, read_scan


class Command(BaseCommand):
    help = "Queue again uploads not yet split and scans not yet routed (after a worker stopped)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=10,
            metavar="MINUTES",
            help="only what arrived at least this long ago (default 10)",
        )
        parser.add_argument(
            "--failed",
            action="store_true",
            help="also try again the scans and files the worker failed on (status failed)",
        )

    def handle(self, *args, older_than: int, failed: bool = False, **options):
        before = timezone.now() - timedelta(minutes=older_than)
        uploads = list(
            Upload.objects.filter(
                status=Upload.Status.RECEIVED, received_at__lte=before
            ).values_list("pk", flat=True)
        )
        scans = list(
            Scan.objects.filter(
                status__in=[Scan.Status.RECEIVED, Scan.Status.READ], created_at__lte=before
            ).values_list("pk", flat=True)
        )
        if failed:
            uploads += [
                upload.pk
                for upload in Upload.objects.filter(status=Upload.Status.FAILED, scans__isnull=True)
                if services.retry_failed_upload(upload=upload)
            ]
            scans += [
                scan.pk
                for scan in Scan.objects.filter(status=Scan.Status.FAILED).order_by("pk")
                if services.retry_failed_scan(scan=scan).status != Scan.Status.FAILED
            ]
        for pk in uploads:
            process_upload.enqueue(pk)
        for pk in scans:
            read_scan.enqueue(pk)
        self.stdout.write(f"queued again: {len(uploads)} uploads, {len(scans)} scans")
