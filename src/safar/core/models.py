"""Offices, users and roles, reference data and the audit trail."""

import hashlib
import secrets
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslatedName(models.Model):
    """A name kept in the three interface languages; `name` follows the active language."""

    name_tg = models.CharField(_("name (Tajik)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or settings.LANGUAGE_CODE)[:2]
        return getattr(self, f"name_{lang}", None) or self.name_en


class Office(TranslatedName):
    """An organisation Safar knows: the Ministry and its services and centres, whose staff log
    in, and the outside organisations staff refer people to (some of which log in with limited
    rights). Reference data (core/data/reference.json), editable by administrators."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry of Labour")
        SERVICE = "service", _("Migration Service")
        DIRECTORATE = "directorate", _("Information Directorate")
        BORDER_CENTRE = "border_centre", _("Centre for immigration control")
        MSC = "msc", _("Migrant Support Centre")
        EMPLOYMENT_OFFICE = "employment_office", _("employment centre")
        TRAINING_CENTRE = "training_centre", _("vocational training centre")
        LEGAL_AID = "legal_aid", _("legal aid provider")
        NGO = "ngo", _("non-governmental organisation")
        EMBASSY = "embassy", _("embassy or consulate")
        INTERNATIONAL = "international", _("international organisation")
        AGENCY = "agency", _("private employment agency")

    code = models.CharField(_("code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        "Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")


class Role(models.TextChoices):
    """Roles are Django groups with these names; a user may hold several."""

    OPERATOR = "operator", _("Operator")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")
    EDITOR = "editor", _("Editor of guidance articles")


class User(AbstractUser):
    office = models.ForeignKey(
        Office, verbose_name=_("office"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def role_names(self) -> frozenset[str]:
        if not hasattr(self, "_role_names"):
            self._role_names = frozenset(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, role: str) -> bool:
        return self.is_active and (self.is_superuser or role in self.role_names())

    @property
    def is_operator(self) -> bool:
        return self.has_role(Role.OPERATOR)

    @property
    def is_analyst(self) -> bool:
        return self.has_role(Role.ANALYST)

    @property
    def is_administrator(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR)


class Region(TranslatedName):
    """A first-level division of Tajikistan, by its ISO 3166-2 code (TJ-DU, TJ-SU, …)."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=6, primary_key=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class District(TranslatedName):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("district")
        CITY = "city", _("city")

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="districts"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["region", "name_en"]
        verbose_name = _("district or city")
        verbose_name_plural = _("districts and cities")


class Country(TranslatedName):
    code = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, primary_key=True)
    alpha2 = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class BorderPoint(TranslatedName):
    class Kind(models.TextChoices):
        AIRPORT = "airport", _("airport")
        ROAD = "road", _("road")
        RAIL = "rail", _("railway")

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    centre = models.ForeignKey(
        Office,
        verbose_name=_("centre for immigration control"),
        on_delete=models.PROTECT,
        related_name="border_points",
        limit_choices_to={"kind": Office.Kind.BORDER_CENTRE},
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("border crossing point")
        verbose_name_plural = _("border crossing points")


class Purpose(TranslatedName):
    code = models.CharField(_("code"), max_length=10, primary_key=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("purpose of travel")
        verbose_name_plural = _("purposes of travel")


class AuditEvent(models.Model):
    """Who saw or changed what, and when. Never edited, never deleted by the application."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        VIEW = "view", _("viewed")
        SEARCH = "search", _("searched")
        EXPORT = "export", _("exported")
        IMPORT = "import", _("imported")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    # For changes: {"field": [old, new], …}; for searches: the query as typed.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    query = models.JSONField(_("query"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    # What events are about when it is not a record of a model (those carry its label).
    OTHER_OBJECT_TYPES = {"report": _("report"), "two_factor": _("two-step sign-in")}

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type} {self.object_id}"

    @classmethod
    def object_type_label(cls, object_type: str) -> str:
        """What `object_type` ("crossings.crossing", "report") names, in the active language:
        the model's verbose name; an unknown type as it is stored."""
        if object_type in cls.OTHER_OBJECT_TYPES:
            return str(cls.OTHER_OBJECT_TYPES[object_type])
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            return object_type
        return str(model._meta.verbose_name)

    @property
    def object_type_name(self) -> str:
        """This event's object type in the active language (see `object_type_label`)."""
        return self.object_type_label(self.object_type)

    @classmethod
    def record(
        cls,
        *,
        user,
        action: str,
        obj=None,
        object_type: str = "",
        object_id="",
        changes=None,
        query=None,
    ) -> "AuditEvent":
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or str(obj.pk)
        return cls.objects.create(
            user=user if user is not None and user.is_authenticated else None,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            changes=changes or {},
            query=query or {},
        )


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# A token's last use is written at most this often: a script polling the API every second
# would otherwise write a row per request for a timestamp nobody reads to the second.
TOKEN_USE_RECORD_SECONDS = 60


def default_token_expiry():
    """SAFAR_API_TOKEN_DAYS (default 90) from now."""
    return timezone.now() + timedelta(days=settings.SAFAR_API_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def active(self, *, now=None):
        """Tokens that open the API at `now`: not revoked, not expired, of an active user."""
        return self.filter(
            revoked_at__isnull=True,
            user__is_active=True,
            expires_at__gt=now or timezone.now(),
        )


class ApiToken(models.Model):
    """A bearer token for the JSON API only. Only its SHA-256 is stored; the raw token is
    shown once. It expires (SAFAR_API_TOKEN_DAYS), and a revoked token stays revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=default_token_expiry)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="apitoken_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @classmethod
    def issue(cls, user, *, expires_at=None) -> tuple["ApiToken", str]:
        # Hex, not URL-safe base64: a prefix never starts with "-", so it can be given to
        # `--revoke PREFIX` on the command line.
        raw = secrets.token_hex(32)
        token = cls.objects.create(
            user=user,
            key_hash=hash_token(raw),
            prefix=raw[:8],
            expires_at=expires_at or default_token_expiry(),
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str, *, now) -> "ApiToken | None":
        """The active token with this raw value, its use recorded; None for any other."""
        token = (
            cls.objects.active(now=now).select_related("user").filter(key_hash=hash_token(raw))
        ).first()
        if token is None:
            return None
        stale = now - timedelta(seconds=TOKEN_USE_RECORD_SECONDS)
        if token.last_used_at is None or token.last_used_at < stale:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    def revoke(self, *, by=None) -> bool:
        """Revoke for good and audit it; False when it was already revoked (nothing changes)."""
        with transaction.atomic():
            now = timezone.now()
            revoked = ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
                revoked_at=now
            )
            if not revoked:
                return False
            self.revoked_at = now
            AuditEvent.record(
                user=by,
                action=AuditEvent.Action.UPDATE,
                obj=self,
                changes={"revoked_at": [None, now.isoformat()]},
            )
        return True
