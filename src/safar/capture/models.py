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

    centre = models.ForeignKey(
        Office, verbose_name=_("border centre"), on_delete=models.PROTECT, related_name="+"
    )
    # A station agent's batch names its station; a web upload batch names its uploader.
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batches",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "day"],
                name="batch_station_day",
                condition=models.Q(station__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["uploaded_by", "centre", "day"],
                name="batch_uploader_day",
                condition=models.Q(station__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre.code} {self.day}"


def upload_path(instance: "Upload", filename: str) -> str:
    day = timezone.localdate()
    return f"uploads/{day:%Y/%m/%d}/{instance.sha256}{instance.extension}"


class UploadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An operator's own centre's files; administrators see every centre's."""
        from safar.core.permissions import restrict_to_scope

        return restrict_to_scope(self, user, app="capture", organisation_field="batch__centre")


class Upload(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        SPLIT = "split", _("pages extracted")
        FAILED = "failed", _("could not be opened")

    # Stored once per border centre (see docs/capture.md, "One file, one centre"): the same bytes
    # from another centre are that centre's own upload, never a link into this one's queue.
    sha256 = models.CharField(max_length=64)
    # The batch's centre, kept on the row so that the database can hold the rule above.
    centre = models.ForeignKey(
        Office, verbose_name=_("border centre"), on_delete=models.PROTECT, related_name="+"
    )
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="uploads")
    file = models.FileField(upload_to=upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(max_length=6)
    size = models.BigIntegerField(_("size"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    error = models.TextField(_("error"), blank=True)
    # The error as a key of capture.problems.PROBLEMS and its parameters, shown in each viewer's
    # language; an empty key when only the (English) text is known (then `error` is shown).
    error_key = models.CharField(max_length=24, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    # Splits started: a worker killed while splitting (out of memory) leaves no other trace.
    attempts = models.PositiveSmallIntegerField(default=0)

    objects = UploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")
        constraints = [
            models.UniqueConstraint(fields=["sha256", "centre"], name="upload_sha256_centre"),
        ]

    def __str__(self) -> str:
        return self.original_name

    def save(self, *args, **kwargs):
        if self.centre_id is None and self.batch_id is not None:
            self.centre_id = self.batch.centre_id
        super().save(*args, **kwargs)

    @property
    def error_text(self) -> str:
        """The error in the active language (the stored text when its key is not known)."""
        from .problems import problem_text

        return problem_text(self.error_key, self.error_params, self.error)


class ScanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An operator's own centre's scans, and those handed over to it (not those it handed
        over); administrators see every centre's."""
        from safar.core.roles import Scope, scope_in

        scope = scope_in(user, "capture")
        if scope >= Scope.ALL:
            return self
        if scope < Scope.ORGANISATION or user.office_id is None:
            return self.none()
        return self.filter(
            models.Q(handed_to__isnull=True, upload__batch__centre_id=user.office_id)
            | models.Q(handed_to_id=user.office_id)
        )

    def needing_review(self):
        return self.filter(status=Scan.Status.NEEDS_REVIEW)

    def queue_order(self):
        """The review queue: oldest first, so no card waits for ever behind newer ones."""
        return self.order_by("created_at", "id")

    def status_counts(self) -> dict[str, int]:
        counts = dict(self.order_by().values_list("status").annotate(n=models.Count("id")))
        return {status: counts.get(status, 0) for status in Scan.Status.values}

    def counts_by_upload(self) -> dict[int, dict[str, int]]:
        """{upload id: {status: count}} for the scans in this queryset."""
        counts: dict[int, dict[str, int]] = {}
        rows = self.order_by().values_list("upload_id", "status").annotate(n=models.Count("id"))
        for upload_id, status, n in rows:
            counts.setdefault(upload_id, {})[status] = n
        return counts


class Scan(models.Model):
    """One page: one card (or a card with its passport page), or the passport page scanned
    after a card."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        READ = "read", _("read")
        NEEDS_REVIEW = "needs_review", _("needs review")
        SAVED = "saved", _("saved")
        REJECTED = "rejected", _("rejected")
        # The worker failed on the page (a bug, or it ran out of memory): `problem` says why;
        # `safar capture-requeue --failed` tries again once the cause is fixed.
        FAILED = "failed", _("failed")

    class ReviewReason(models.TextChoices):
        """Why a scan waits for an operator; shown in the queue."""

        UNREADABLE = "unreadable", _("the image could not be opened")
        READER_FAILED = "reader_error", _("the reader failed on this page")
        NOT_ALIGNED = "not_aligned", _("the card could not be found on the page")
        DOUBTFUL = "doubtful", _("some values are doubtful")
        CONFLICT = "conflict", _("the card number is already recorded with other data")
        REFUSED = "refused", _("the registry refused the values read")
        NO_CARD = "no_card", _("a passport page without a card")

    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="scans")
    page = models.PositiveIntegerField(_("page"), default=1)
    image = models.FileField(
        _("page image"), upload_to="pages/%Y/%m/%d/", max_length=200, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    review_reason = models.CharField(
        _("why it needs review"), max_length=12, blank=True, choices=ReviewReason.choices
    )
    # A technical note for the operator and the administrator (never personal data).
    problem = models.TextField(_("problem"), blank=True)
    # The problem as a key of capture.problems.PROBLEMS and its parameters, shown in each
    # viewer's language; an empty key when only the (English) text is known.
    problem_key = models.CharField(max_length=24, blank=True)
    problem_params = models.JSONField(default=dict, blank=True)
    # What the reader returned: {field: {"value": …, "confidence": 0..1, "crop": "path"}, …}
    reading = models.JSONField(_("reading"), default=dict, blank=True)
    card_number = models.CharField(_("card number"), max_length=16, blank=True, db_index=True)
    crossing = models.OneToOneField(
        "crossings.Crossing", null=True, blank=True, on_delete=models.SET_NULL, related_name="scan"
    )
    # A second scan of a card already in the registry with the same data: saved, not re-entered.
    duplicate_of = models.ForeignKey(
        "crossings.Crossing",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("duplicate of"),
    )
    # A passport page: the card scanned just before it, whose identity fields its MRZ fills.
    card_scan = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="passport_pages",
        verbose_name=_("card of this passport page"),
    )
    auto_accepted = models.BooleanField(_("saved without review"), default=False)
    corrected_fields = models.JSONField(_("corrected fields"), default=list, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Readings started: a worker killed mid-page (out of memory) cannot mark the scan itself,
    # so the next attempt past MAX_ATTEMPTS marks it `failed` instead of trying for ever.
    attempts = models.PositiveSmallIntegerField(default=0)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # A card of another centre's border point, handed over to that centre's review queue by an
    # operator (see services.scan_hand_over); the scan still counts for the centre that scanned it.
    handed_to = models.ForeignKey(
        Office,
        verbose_name=_("handed over to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_from = models.ForeignKey(
        Office,
        verbose_name=_("handed over from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handover_reason = models.CharField(_("reason for handing over"), max_length=300, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)

    objects = ScanQuerySet.as_manager()

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(handed_to__isnull=True)
                | (
                    models.Q(handed_from__isnull=False, handed_over_at__isnull=False)
                    & ~models.Q(handover_reason="")
                ),
                name="scan_handed_over_with_reason",
            ),
            models.UniqueConstraint(fields=["upload", "page"], name="scan_upload_page"),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(reject_reason=""),
                name="scan_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(problem=""),
                name="scan_failed_has_problem",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="scan_queue")]

    def __str__(self) -> str:
        return f"scan {self.pk}"

    @property
    def problem_text(self) -> str:
        """`problem` in the active language (the stored text when its key is not known)."""
        from .problems import problem_text

        return problem_text(self.problem_key, self.problem_params, self.problem)

    @property
    def reading_problem(self) -> str:
        """Why the reader could not read the page, in the active language ("" when it could)."""
        from .problems import problem_text

        reading = self.reading or {}
        return problem_text(
            reading.get("problem_key", ""),
            reading.get("problem_params"),
            reading.get("problem", ""),
        )

    @property
    def centre(self) -> Office:
        return self.upload.batch.centre

    @property
    def queue_centre(self) -> Office:
        """The centre whose operators review the scan: the one it was handed over to, if any."""
        return self.handed_to or self.upload.batch.centre

    @property
    def captured_on(self):
        """The day the scan arrived: the day R12 counts every outcome of it on."""
        return timezone.localdate(self.created_at)

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_of_id is not None

    @property
    def is_passport_page(self) -> bool:
        """A page that holds a passport's MRZ instead of a card (see capture.pairing)."""
        return bool((self.reading or {}).get("passport_page"))

    @property
    def fields(self) -> dict:
        """The reader's fields: {name: {value, confidence, valid, problem, target, crop}}."""
        return self.reading.get("fields", {})
