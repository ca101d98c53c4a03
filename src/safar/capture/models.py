"""Scanned files as they arrive, the pages in them, and each page's way to a crossing.

An Upload is one received file (identified by its SHA-256, so a file is stored once however often
it is sent). Each page of it becomes a Scan, which is read, reviewed where needed, and saved as a
crossing or rejected with a reason. Nothing is ever dropped.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safar.core.models import Office


class Batch(models.Model):
    """The files one station (or one web uploader) sent on one day."""

    centre = models.ForeignKey(Office, verbose_name=_("border centre"), on_delete=models.PROTECT,
                               related_name="+")
    # A station agent's batch names its station; a web upload batch names its uploader.
    station = models.ForeignKey("stations.Station", verbose_name=_("station"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="batches")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.UniqueConstraint(fields=["station", "day"], name="batch_station_day",
                                    condition=models.Q(station__isnull=False)),
            models.UniqueConstraint(fields=["uploaded_by", "centre", "day"],
                                    name="batch_uploader_day",
                                    condition=models.Q(station__isnull=True)),
        ]


def upload_path(instance: "Upload", filename: str) -> str:
    day = timezone.localdate()
    return f"uploads/{day:%Y/%m/%d}/{instance.sha256}{instance.extension}"


class Upload(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        SPLIT = "split", _("pages extracted")
        FAILED = "failed", _("could not be opened")

    sha256 = models.CharField(max_length=64, unique=True)
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="uploads")
    file = models.FileField(upload_to=upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(max_length=6)
    size = models.BigIntegerField(_("size"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.RECEIVED)
    error = models.TextField(_("error"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")


class Scan(models.Model):
    """One page: one card (or a card with its passport page)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        READ = "read", _("read")
        NEEDS_REVIEW = "needs_review", _("needs review")
        SAVED = "saved", _("saved")
        REJECTED = "rejected", _("rejected")

    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="scans")
    page = models.PositiveIntegerField(_("page"), default=1)
    image = models.FileField(_("page image"), upload_to="pages/%Y/%m/%d/", max_length=200,
                             blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.RECEIVED, db_index=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    # What the reader returned: {field: {"value": …, "confidence": 0..1, "crop": "path"}, …}
    reading = models.JSONField(_("reading"), default=dict, blank=True)
    card_number = models.CharField(_("card number"), max_length=16, blank=True, db_index=True)
    crossing = models.OneToOneField("crossings.Crossing", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="scan")
    auto_accepted = models.BooleanField(_("saved without review"), default=False)
    corrected_fields = models.JSONField(_("corrected fields"), default=list, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        constraints = [
            models.UniqueConstraint(fields=["upload", "page"], name="scan_upload_page"),
        ]
