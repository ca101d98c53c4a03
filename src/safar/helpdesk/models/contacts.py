"""The Migrant Support Centres' helpdesk: callers, the contacts they make, and the categories
contacts are filed under.

A caller profile belongs to one MSC (unique per MSC and E.164 phone number): the name, sex and
age a caller gives one centre are that centre's to see, and a consultant of another MSC must not
learn them by typing the number. The coordinator, who sees every MSC, finds a number's profiles at
every centre through the same phone lookup.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from safar.core.models import Country, Office, Region, TranslatedName
from safar.core.permissions import restrict_to_scope

APP = "helpdesk"


class Category(TranslatedName):
    """A two-level taxonomy of what contacts are about: "work" holds "work/wages_unpaid".

    Codes are stable (the API and the statistics use them); administrators maintain the names
    in three languages and may retire a category (active=False) but never recode it."""

    code = models.CharField(_("code"), max_length=60, primary_key=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    # The guide's articles a consultant reads out for this category (the contact form links
    # them as soon as the category is ticked); administrators keep the links.
    articles = models.ManyToManyField(
        "guidance.Article",
        verbose_name=_("guide articles that answer it"),
        blank=True,
        related_name="helpdesk_categories",
    )

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("contact category")
        verbose_name_plural = _("contact categories")
        constraints = [
            # A group's code has no slash; a category's code is "<group>/<name>" under a group.
            models.CheckConstraint(
                condition=(Q(parent__isnull=True) & ~Q(code__contains="/"))
                | (Q(parent__isnull=False) & Q(code__contains="/")),
                name="helpdesk_category_two_levels",
            ),
        ]

    @property
    def is_group(self) -> bool:
        return self.parent_id is None


class CallerQuerySet(models.QuerySet):
    def visible_to(self, user) -> CallerQuerySet:
        """The caller profiles of the MSCs the user's helpdesk role reaches."""
        return restrict_to_scope(self, user, app=APP, organisation_field="msc")


class Caller(models.Model):
    """Someone who contacted an MSC, known by phone number at that MSC (see the module's note)."""

    class Sex(models.TextChoices):
        FEMALE = "F", _("female")
        MALE = "M", _("male")
        UNKNOWN = "U", _("not known")

    class AgeBand(models.TextChoices):
        CHILD = "0-17", "0–17"
        B18 = "18-24", "18–24"
        B25 = "25-34", "25–34"
        B35 = "35-44", "35–44"
        B45 = "45-54", "45–54"
        B55 = "55+", "55+"
        UNKNOWN = "unknown", _("not known")

    msc = models.ForeignKey(
        Office,
        verbose_name=_("Migrant Support Centre"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Office.Kind.MSC},
    )
    phone = models.CharField(_("phone number"), max_length=16, blank=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    age_band = models.CharField(
        _("age"), max_length=7, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.CharField(_("district or city"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = CallerQuerySet.as_manager()

    class Meta:
        ordering = ["msc", "phone"]
        verbose_name = _("caller")
        verbose_name_plural = _("callers")
        # The phone lookup finds a number's profiles by this index: SQLite cannot use the
        # partial unique index below for `phone = …` (it does not infer `phone <> ''`), and
        # without it scanned every profile of the MSC, then every contact (docs/benchmarks.md).
        indexes = [models.Index(fields=["phone"], name="helpdesk_caller_phone_idx")]
        constraints = [
            # One profile per number at each MSC; callers without a number (walk-ins who give
            # none) each get their own profile.
            models.UniqueConstraint(
                fields=["msc", "phone"],
                condition=~Q(phone=""),
                name="helpdesk_caller_one_profile_per_phone_and_msc",
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__startswith="+"),
                name="helpdesk_caller_phone_e164",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.msc.code} #{self.pk}"


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContactQuerySet:
        """The contacts of the MSCs the user's helpdesk role reaches (none without a role)."""
        return restrict_to_scope(self, user, app=APP, organisation_field="msc")

    def data_calls(self) -> ContactQuerySet:
        return self.filter(call_type=Contact.CallType.DATA)

    def non_data_calls(self) -> ContactQuerySet:
        return self.exclude(call_type=Contact.CallType.DATA)


class Contact(models.Model):
    """One call, walk-in visit, online message or outreach conversation at an MSC.

    Non-data calls (silent, hang-up, prank, test, wrong number) carry only the centre, the time
    and the channel; a data call has a caller."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone")
        WALK_IN = "walk_in", _("walk-in")
        ONLINE = "online", _("online message")
        OUTREACH = "outreach", _("outreach")

    class CallType(models.TextChoices):
        DATA = "data", _("conversation")
        SILENT = "silent", _("silent")
        HANG_UP = "hang_up", _("hung up")
        PRANK = "prank", _("prank")
        TEST = "test", _("test")
        WRONG_NUMBER = "wrong_number", _("wrong number")

    class About(models.TextChoices):
        SELF = "self", _("the caller")
        FAMILY_MEMBER = "family_member", _("a family member")
        OTHER = "other", _("someone else")

    class Outcome(models.TextChoices):
        INFORMATION = "information", _("information given")
        REFERRED = "referred", _("referred")
        CASE_OPENED = "case_opened", _("case opened")
        CALLBACK = "callback", _("call back")

    msc = models.ForeignKey(
        Office,
        verbose_name=_("Migrant Support Centre"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Office.Kind.MSC},
    )
    received_at = models.DateTimeField(_("received"), db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    call_type = models.CharField(_("type of call"), max_length=12, choices=CallType.choices)
    caller = models.ForeignKey(
        Caller,
        verbose_name=_("caller"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    about = models.CharField(_("about"), max_length=14, choices=About.choices, blank=True)
    migrant_location = models.ForeignKey(
        Country,
        verbose_name=_("where the migrant is"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="contacts"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    duration_s = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The case this contact opened or was about (a caller's later calls on their case).
    case = models.ForeignKey(
        "helpdesk.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("logged"), default=timezone.now)

    objects = ContactQuerySet.as_manager()

    # What a caller tells about themselves or their family (psychological state, health,
    # trafficking) goes in the notes: only those who work the contacts read them, never the
    # coordinator's aggregates nor a partner (safar.core.sensitive; holders sign in in two steps).
    SENSITIVE_FIELDS = {"notes": "helpdesk.view_contact_notes"}

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        permissions = [("view_contact_notes", _("Can read the notes of a contact"))]
        indexes = [
            models.Index(fields=["msc", "received_at"]),
            # A caller's contacts at an MSC in time order: the monthly report's new callers
            # (M07) ask, for each contact of the month, when its caller first called the MSC
            # (answered from the index alone).
            models.Index(fields=["caller", "msc", "call_type", "received_at"]),
            # An MSC's data (or non-data) contacts of a period with their ids: the dashboard's
            # per-month counts and its joins to the categories read the index alone (the id a
            # key column, as SQLite has no INCLUDE; safar bench msc-reports).
            models.Index(
                fields=["msc", "call_type", "received_at", "id"],
                name="helpdesk_contact_period_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(call_type="data") | Q(caller__isnull=False),
                name="helpdesk_contact_data_call_has_caller",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.msc.code} {self.received_at:%Y-%m-%d %H:%M} {self.call_type}"

    @property
    def is_data_call(self) -> bool:
        return self.call_type == self.CallType.DATA


class BanCheckResult(models.Model):
    """The stay calculator's answer for an entry-ban contact, kept with it: the trips the
    caller gave (entered and left Russia), the day it was judged on, and what it came to.

    Worked out by the guide's calculator (safar.guidance.bancheck) under the rule book of the
    day it was saved; the numbers are kept as they were told to the caller, not recomputed when
    the rules change."""

    class Verdict(models.TextChoices):
        # The values of safar.guidance.bancheck.Verdict.
        BAN_ON_LEAVING = (
            "ban_on_leaving",
            _("in Russia beyond the lawful stay: leaving brings a ban"),
        )
        OVERSTAY = "overstay", _("in Russia beyond the lawful stay")
        CLOSED = "closed", _("entry closed with no known end")
        BANNED = "banned", _("entry banned")
        MAY_BE_REFUSED = "may_be_refused", _("entry may be refused")
        WITHIN_LIMIT = "within_limit", _("in Russia within the lawful stay")
        NO_BAN = "no_ban", _("no entry ban found")

    contact = models.OneToOneField(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="ban_check",
    )
    as_of = models.DateField(_("date of the check"))
    # [{"entered": "YYYY-MM-DD", "left": "YYYY-MM-DD" | null}, …] as typed, in date order.
    trips = models.JSONField(_("trips to Russia"), default=list)
    days_in_window = models.PositiveSmallIntegerField(_("days in Russia in the last 180"))
    overstay_days = models.PositiveIntegerField(_("days beyond the lawful stay"))
    verdict = models.CharField(_("result"), max_length=16, choices=Verdict.choices)
    ban_possible = models.BooleanField(_("entry ban possible"))
    ban_until = models.DateField(_("ban runs out"), null=True, blank=True)
    # The calculator's whole answer (bans with their legal basis, stays), without the texts.
    answer = models.JSONField(_("answer"), default=dict)

    class Meta:
        verbose_name = _("stay calculation")
        verbose_name_plural = _("stay calculations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ban_possible=True) | Q(ban_until__isnull=True),
                name="helpdesk_bancheck_until_only_with_a_ban",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.as_of} {self.verdict}"

    @property
    def summary(self) -> str:
        """What the consultant told the caller, in one line of the active language."""
        parts = [
            ngettext(
                "%(days)s day in Russia in the 180 days to %(date)s",
                "%(days)s days in Russia in the 180 days to %(date)s",
                self.days_in_window,
            )
            % {"days": self.days_in_window, "date": date_format(self.as_of, "SHORT_DATE_FORMAT")}
        ]
        if self.overstay_days:
            parts.append(
                ngettext(
                    "%(n)s day beyond the lawful stay",
                    "%(n)s days beyond the lawful stay",
                    self.overstay_days,
                )
                % {"n": self.overstay_days}
            )
        if self.ban_until is not None:
            parts.append(
                gettext("entry ban possible until %(date)s")
                % {"date": date_format(self.ban_until, "SHORT_DATE_FORMAT")}
            )
        else:
            parts.append(str(self.get_verdict_display()))
        return "; ".join(parts)


class ContactCount(models.Model):
    """How many contacts an MSC received in a month (of Dushanbe dates): data or not, all of
    them (group "") or those filed under a category group (each contact once per group; "-" for
    a category without a group). Kept in the same transaction as every contact write
    (safar.helpdesk.contact_counts), so that the dashboard reads twelve months of figures from a
    few hundred rows instead of a year of contacts; `safar check-contact-counts` compares it
    with a recount."""

    ALL = ""
    NO_GROUP = "-"

    msc = models.ForeignKey(
        Office,
        verbose_name=_("Migrant Support Centre"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The first day of the month.
    month = models.DateField(_("month"))
    data = models.BooleanField(_("conversation"))
    group = models.CharField(_("category group"), max_length=60, blank=True)
    n = models.PositiveIntegerField(_("contacts"))

    class Meta:
        ordering = ["msc", "month", "data", "group"]
        verbose_name = _("contact count")
        verbose_name_plural = _("contact counts")
        constraints = [
            models.UniqueConstraint(
                fields=["msc", "month", "data", "group"], name="helpdesk_one_contact_count"
            )
        ]

    def __str__(self) -> str:
        return f"{self.msc_id} {self.month:%Y-%m} {self.data} {self.group or '*'}: {self.n}"
