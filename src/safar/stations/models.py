"""Scanner stations at the border centres, their upload tokens, and the files intake refused."""

import hashlib
import secrets
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safar.core.models import Office

# A station's last contact is written at most this often: every upload would otherwise add a
# write, and at the centres' pace a minute's precision is plenty for the dashboard.
CONTACT_PRECISION = timedelta(seconds=15)


def hash_station_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class StationQuerySet(models.QuerySet):
    def with_intake_counts(self):
        """Annotate each station with its files: total, received today, not yet read, failed."""
        from safar.capture.models import Upload

        uploads = "batches__uploads"
        return self.annotate(
            files=models.Count(uploads),
            files_today=models.Count(
                uploads, filter=models.Q(batches__uploads__received_at__gte=start_of_today())
            ),
            pending=models.Count(
                uploads, filter=models.Q(batches__uploads__status=Upload.Status.RECEIVED)
            ),
            failed=models.Count(
                uploads, filter=models.Q(batches__uploads__status=Upload.Status.FAILED)
            ),
        )

    def with_token(self, raw: str):
        """The station holding this active token (empty when unknown or revoked)."""
        return self.filter(
            tokens__key_hash=hash_station_token(raw), tokens__revoked_at__isnull=True
        )


class Station(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    centre = models.ForeignKey(
        Office,
        verbose_name=_("border centre"),
        on_delete=models.PROTECT,
        related_name="stations",
        limit_choices_to={"kind": Office.Kind.BORDER_CENTRE},
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    # What the agent last said about its own folder: files waiting to be sent.
    agent_queue = models.PositiveIntegerField(_("waiting at the station"), null=True, blank=True)
    agent_reported_at = models.DateTimeField(_("reported"), null=True, blank=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def authenticate(cls, raw: str) -> "Station | None":
        if not raw:
            return None
        return cls.objects.with_token(raw).select_related("centre").first()

    def issue_token(self) -> tuple["StationToken", str]:
        """A new upload token; only its SHA-256 is stored, the raw token is returned once."""
        # Hex, not URL-safe base64: a prefix never starts with "-", so it can be given to
        # `--revoke PREFIX` on the command line.
        raw = secrets.token_hex(32)
        token = StationToken.objects.create(
            station=self, key_hash=hash_station_token(raw), prefix=raw[:8]
        )
        return token, raw

    def touch(self, *, queued: int | None = None) -> None:
        """Record contact now (and the agent's reported queue when it sent one)."""
        now = timezone.now()
        if queued is not None:
            Station.objects.filter(pk=self.pk).update(
                last_contact_at=now, agent_queue=queued, agent_reported_at=now
            )
            return
        Station.objects.filter(pk=self.pk).filter(
            models.Q(last_contact_at__isnull=True)
            | models.Q(last_contact_at__lt=now - CONTACT_PRECISION)
        ).update(last_contact_at=now)


class StationToken(models.Model):
    """An upload token of one station. It opens the intake endpoints and nothing else."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("station")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("station token")
        verbose_name_plural = _("station tokens")

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RefusedUpload(models.Model):
    """A file a station sent that intake did not accept, with the reason it was given."""

    class Code(models.TextChoices):
        WRONG_TYPE = "wrong_type", _("wrong file type")
        TOO_LARGE = "too_large", _("too large")
        CORRUPT = "corrupt", _("corrupt or unreadable")
        HASH_MISMATCH = "hash_mismatch", _("damaged on the way")
        EMPTY = "empty", _("empty file")
        TOO_MANY_PIXELS = "too_many_pixels", _("pages too large to read")

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="refusals", verbose_name=_("station")
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(_("size"))
    code = models.CharField(_("reason"), max_length=16, choices=Code.choices)
    # The reason as a stable key (stations.reasons.REASONS) and its parameters, shown in each
    # viewer's language; an empty key when only the text is known (then `reason` is shown).
    reason_key = models.CharField(max_length=20, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    # The text as the station received it, in the station's language.
    reason = models.TextField(_("message sent to the station"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("refused file")
        verbose_name_plural = _("refused files")

    def __str__(self) -> str:
        return f"{self.station} {self.code}"

    @property
    def reason_text(self) -> str:
        """Why the file was refused, in the active language (the stored text when its key is not
        known: a reason from before keys were stored that matched no known text)."""
        from .reasons import REASONS, reason_text

        if self.reason_key in REASONS:
            return reason_text(self.reason_key, self.reason_params)
        return self.reason


def start_of_today():
    """Midnight of the current day in the project's time zone (Asia/Dushanbe), as an aware time."""
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
