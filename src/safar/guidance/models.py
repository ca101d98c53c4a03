"""Guidance articles with their full history, places to turn to, and the ban rules as data."""

import difflib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from safar.core.models import TranslatedName

from . import bancheck
from .search import normalise, query_words

LANGUAGE_CODES = ("tg", "ru", "en")


def _active_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


class Topic(models.TextChoices):
    BEFORE = "before", _("Before departure")
    IN_RUSSIA = "in_russia", _("In Russia")
    RIGHTS = "rights", _("Rights and help")
    RETURN = "return", _("Coming back")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def search(self, query: str):
        """Articles whose text in any language holds every word of `query` (folded, see
        search.py); a portable LIKE over one precomputed column."""
        words = query_words(query)
        if not words:
            return self.none()
        condition = Q()
        for word in words:
            condition &= Q(search_text__contains=word)
        return self.filter(condition)


class Article(models.Model):
    """One guidance article in three languages. Bodies are Markdown; text between ?? and ?? is
    a fact still to be confirmed and is shown with a visible marker."""

    slug = models.SlugField(_("address"), max_length=80, unique=True)
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title_tg = models.CharField(_("title (Tajik)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    summary_tg = models.TextField(_("summary (Tajik)"), max_length=600)
    summary_ru = models.TextField(_("summary (Russian)"), max_length=600)
    summary_en = models.TextField(_("summary (English)"), max_length=600)
    body_tg = models.TextField(_("text (Tajik)"))
    body_ru = models.TextField(_("text (Russian)"))
    body_en = models.TextField(_("text (English)"))
    # The legal sources as the reader's language cites them (one a line: the law, article, date).
    sources_tg = models.TextField(
        _("legal sources (Tajik)"),
        blank=True,
        help_text=_("One source a line: the law, article and date."),
    )
    sources_ru = models.TextField(
        _("legal sources (Russian)"),
        blank=True,
        help_text=_("One source a line: the law, article and date."),
    )
    sources_en = models.TextField(
        _("legal sources (English)"),
        blank=True,
        help_text=_("One source a line: the law, article and date."),
    )
    last_checked_on = models.DateField(_("last checked on"))
    published = models.BooleanField(_("published"), default=True)
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ArticleQuerySet.as_manager()

    # The fields an editor writes; each version keeps a snapshot of exactly these.
    CONTENT_FIELDS = (
        "slug",
        "topic",
        "position",
        *(
            f"{part}_{lang}"
            for part in ("title", "summary", "body", "sources")
            for lang in LANGUAGE_CODES
        ),
        "last_checked_on",
        "published",
    )

    class Meta:
        ordering = ["topic", "position", "slug"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        parts = [
            getattr(self, f"{p}_{lang}")
            for p in ("title", "summary", "body")
            for lang in LANGUAGE_CODES
        ]
        self.search_text = normalise(" ".join(parts))
        super().save(*args, **kwargs)

    def in_language(self, part: str, language: str | None = None) -> str:
        """`part` (title, summary, body) in the language, falling back to Tajik, then Russian."""
        language = language or _active_language()
        for lang in (language, "tg", "ru", "en"):
            value = getattr(self, f"{part}_{lang}", "")
            if value:
                return value
        return ""

    @property
    def title(self) -> str:
        return self.in_language("title")

    @property
    def summary(self) -> str:
        return self.in_language("summary")

    @property
    def body(self) -> str:
        return self.in_language("body")

    @property
    def has_uncertain_facts(self) -> bool:
        return any("??" in getattr(self, f"body_{lang}") for lang in LANGUAGE_CODES)

    def uncertain_passages(self) -> list[tuple[str, str]]:
        """Every passage of the text still marked ??…?? (shown to readers with "(?)"), as
        (language code, passage), Tajik first, each language in the text's order."""
        from .rendering import UNCERTAIN

        return [
            (lang, " ".join(match.group(1).split()))
            for lang in LANGUAGE_CODES
            for match in UNCERTAIN.finditer(getattr(self, f"body_{lang}"))
        ]

    def source_lines(self, language: str | None = None) -> list[str]:
        """The legal sources in the language (the English ones when not yet translated)."""
        language = language or _active_language()
        text = getattr(self, f"sources_{language}", "") or self.sources_en
        return [line.strip(" -*") for line in text.splitlines() if line.strip(" -*")]

    def snapshot(self) -> dict:
        values = {name: getattr(self, name) for name in self.CONTENT_FIELDS}
        values["last_checked_on"] = str(values["last_checked_on"])
        return values


class ArticleVersion(models.Model):
    """A copy of an article as saved: who saved it, when, and what it said. Never changed."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("version"))
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("saved by"),
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    content = models.JSONField(_("content"))

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="guidance_version_unique_number"
            )
        ]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")

    def __str__(self) -> str:
        return f"{self.article.slug} v{self.number}"

    def diff(self, older: "ArticleVersion | None") -> list[tuple[str, list[tuple[str, str]]]]:
        """Changed fields with their lines marked '+', '-' or ' ' against the older version.

        A field whose lines are all the same is not listed: a trailing newline the editor's
        form strips (or a line ending changed) is no change to a reader."""
        before = older.content if older else {}
        changes = []
        for name in Article.CONTENT_FIELDS:
            old, new = _saved(before, name), _saved(self.content, name)
            if old == new:
                continue
            lines = [
                (line[0], line[2:])
                for line in difflib.ndiff(old.splitlines(), new.splitlines())
                if line[0] in "+- "
            ]
            if all(mark == " " for mark, _text in lines):
                continue
            changes.append((name, lines))
        return changes

    def labelled_diff(self, older: "ArticleVersion | None") -> list[dict]:
        """`diff` for a page: each changed field's label (and a topic's name) in the active
        language, and the language its text is written in (tg, ru, en; for the address "zxx",
        no language)."""
        changes = []
        for name, lines in self.diff(older):
            suffix = name.rsplit("_", 1)[-1]
            field = Article._meta.get_field(name)
            if not isinstance(field, models.Field):
                continue  # CONTENT_FIELDS are the article's own fields
            if field.choices:  # the topic by its name, not its code
                names = {str(code): label for code, label in field.flatchoices}
                lines = [(mark, names.get(text, text)) for mark, text in lines]
            changes.append(
                {
                    "label": field.verbose_name,
                    "language": suffix
                    if suffix in LANGUAGE_CODES
                    else "zxx"
                    if name == "slug"
                    else "",
                    "lines": lines,
                }
            )
        return changes


def _saved(content: dict, name: str) -> str:
    """A field of a version's snapshot; versions saved before the sources had a language kept
    the English ones as "sources"."""
    if name == "sources_en" and name not in content:
        return str(content.get("sources", ""))
    return str(content.get(name, ""))


class HelpContact(TranslatedName):
    """A place to turn to (the MSC hotline, an embassy). Phone numbers are entered by an
    administrator; a contact not yet confirmed is shown with a clear placeholder, never a guess."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    phone = models.CharField(_("phone"), max_length=80, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    confirmed = models.BooleanField(
        _("details confirmed"),
        default=False,
        help_text=_(
            "Tick once the phone and address have been checked; until then the public "
            "pages say the details are being confirmed."
        ),
    )

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("place to turn to")
        verbose_name_plural = _("places to turn to")


class StayLimitRule(models.Model):
    """A limit on visa-free stay (115-FZ art. 5). All rows sharing the latest effective date on
    or before a day are the limits of that day."""

    class Kind(models.TextChoices):
        ROLLING = bancheck.rules.ROLLING, _("days in any window")
        CALENDAR_YEAR = bancheck.rules.CALENDAR_YEAR, _("days in a calendar year")
        CONSECUTIVE = bancheck.rules.CONSECUTIVE, _("days in a row")

    effective_from = models.DateField(_("in force from"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    max_days = models.PositiveSmallIntegerField(_("at most, days"))
    window_days = models.PositiveSmallIntegerField(_("window, days"), null=True, blank=True)
    basis = models.CharField(_("legal basis"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["effective_from", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="rolling", window_days__gte=1)
                | (~Q(kind="rolling") & Q(window_days__isnull=True)),
                name="guidance_staylimit_window_only_for_rolling",
            ),
            models.UniqueConstraint(
                fields=["effective_from", "kind"], name="guidance_staylimit_unique"
            ),
        ]
        verbose_name = _("stay limit")
        verbose_name_plural = _("stay limits")

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.max_days} {self.get_kind_display()}"

    def to_engine(self) -> bancheck.StayLimit:
        return bancheck.StayLimit(
            self.effective_from, self.kind, self.max_days, self.basis, window_days=self.window_days
        )


class BanRule(models.Model):
    """A rule that closes entry (114-FZ art. 26 "may refuse", art. 27 "shall refuse")."""

    class Ground(models.TextChoices):
        OVERSTAY = "overstay", _("staying beyond the lawful period")
        REMOVAL = "removal", _("expulsion, deportation or readmission")
        REPEAT_REMOVAL = "repeat_removal", _("a repeated removal")
        OFFENCES_3Y = "offences_3y", _("administrative offences within three years")
        OFFENCES_1Y = "offences_1y", _("migration or public-order offences within a year")
        CONVICTION = "conviction", _("an unexpunged conviction")

    ground = models.CharField(_("ground"), max_length=20, choices=Ground.choices)
    effective_from = models.DateField(_("in force from"))
    threshold = models.PositiveSmallIntegerField(
        _("threshold"),
        default=0,
        help_text=_("Overstay: more than this many days. Offences: at least this many."),
    )
    window_years = models.PositiveSmallIntegerField(_("within, years"), null=True, blank=True)
    offence_kinds = models.CharField(
        _("offence kinds"),
        max_length=100,
        blank=True,
        help_text=_("Comma-separated: migration, public_order, traffic, other. Empty: all."),
    )
    years = models.PositiveSmallIntegerField(
        _("ban, years"),
        null=True,
        blank=True,
        help_text=_("Empty: until an event (a conviction is expunged)."),
    )
    mandatory = models.BooleanField(
        _("mandatory"), help_text=_("Art. 27 'shall refuse' rather than art. 26 'may refuse'.")
    )
    basis = models.CharField(_("legal basis"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["ground", "effective_from", "threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["ground", "effective_from", "threshold"], name="guidance_banrule_unique"
            )
        ]
        verbose_name = _("ban rule")
        verbose_name_plural = _("ban rules")

    def __str__(self) -> str:
        return f"{self.get_ground_display()} ({self.effective_from}, {self.basis})"

    def kinds(self) -> frozenset[str]:
        return frozenset(k.strip() for k in self.offence_kinds.split(",") if k.strip())

    def to_engine(self) -> bancheck.BanRule:
        return bancheck.BanRule(
            self.ground,
            self.effective_from,
            self.years,
            self.mandatory,
            self.basis,
            threshold=self.threshold,
            window_years=self.window_years,
            offence_kinds=self.kinds(),
        )


def current_rulebook() -> bancheck.RuleBook:
    """The rule book as administrators keep it in the database."""
    return bancheck.RuleBook(
        stay_limits=[row.to_engine() for row in StayLimitRule.objects.all()],
        ban_rules=[row.to_engine() for row in BanRule.objects.all()],
    )
