"""Outreach and trainings: the sessions MSCs and the Migration Service hold to inform the public,
and the trainings of people who advise migrants, with a before-and-after knowledge check.

A session's topics are the helpdesk's contact categories (what the hotline hears is what the
sessions explain). The hotline calls a radio or TV programme brings are never typed: they are
read from the helpdesk's contacts (`Session.hotline_calls`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from safar.core.models import District, Office, TranslatedName
from safar.core.permissions import restrict_to_scope

APP = "outreach"
# Contacts are counted by their local date at the MSCs.
DUSHANBE = ZoneInfo("Asia/Dushanbe")
# More people than this at one session or training is a typing mistake (a stadium holds fewer).
MAX_PEOPLE = 100_000
MAX_MATERIALS = 1_000_000
# Sessions and trainings are recorded from the programme's start; earlier is a typing mistake.
EARLIEST = datetime.date(2020, 1, 1)
ORGANISATION_KINDS = (Office.Kind.MSC, Office.Kind.SERVICE)


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user) -> SessionQuerySet:
        """The sessions of the organisations the user's outreach role reaches."""
        return restrict_to_scope(self, user, app=APP, organisation_field="org")

    def held_between(self, start: datetime.date, end: datetime.date) -> SessionQuerySet:
        """Held on `start` … `end`, both included."""
        return self.filter(held_on__gte=start, held_on__lte=end)

    def by_kind(self) -> list[dict]:
        """One row per kind held: kind, sessions, participants_f, participants_m (the monthly
        report's M11), in the kinds' order; kinds without a session left out."""
        rows = {
            row["kind"]: row
            for row in self.order_by()
            .values("kind")
            .annotate(
                sessions=Count("pk"),
                participants_f=Sum("participants_f"),
                participants_m=Sum("participants_m"),
            )
        }
        return [rows[kind] for kind in Session.Kind.values if kind in rows]


class Session(models.Model):
    """One information session, campaign event, radio or TV programme, school visit, airport
    showing or training event, held by an MSC or the Migration Service."""

    class Kind(models.TextChoices):
        INFO_SESSION = "info_session", _("information session")
        CAMPAIGN = "campaign", _("campaign")
        RADIO = "radio", _("radio programme")
        TV = "tv", _("TV programme")
        SCHOOL = "school", _("school visit")
        AIRPORT = "airport", _("airport")
        TRAINING = "training", _("training")

    # The kinds whose audience may call the hotline during and after the programme.
    BROADCAST = (Kind.RADIO, Kind.TV)
    # Materials handed out, by kind: the field holding each count.
    MATERIALS = {
        "booklet": "booklets",
        "flyer": "flyers",
        "film_showing": "film_showings",
        "poster": "posters",
    }

    org = models.ForeignKey(
        Office,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": ORGANISATION_KINDS},
    )
    held_on = models.DateField(_("date"), db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    district = models.ForeignKey(
        District,
        verbose_name=_("district or city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    jamoat = models.CharField(_("jamoat"), max_length=200, blank=True)
    topics = models.ManyToManyField(
        "helpdesk.Category", verbose_name=_("topics"), blank=True, related_name="+"
    )
    partners = models.ManyToManyField(
        Office, verbose_name=_("partner organisations"), blank=True, related_name="+"
    )
    participants_f = models.PositiveIntegerField(_("women taking part"), default=0)
    participants_m = models.PositiveIntegerField(_("men taking part"), default=0)
    booklets = models.PositiveIntegerField(_("booklets"), default=0)
    flyers = models.PositiveIntegerField(_("flyers"), default=0)
    film_showings = models.PositiveIntegerField(_("film showings"), default=0)
    posters = models.PositiveIntegerField(_("posters"), default=0)
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("outreach session")
        verbose_name_plural = _("outreach sessions")
        indexes = [models.Index(fields=["org", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(participants_f__lte=MAX_PEOPLE) & Q(participants_m__lte=MAX_PEOPLE),
                name="outreach_session_participants_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org.code} {self.held_on:%Y-%m-%d} {self.kind}"

    @property
    def participants(self) -> int:
        return self.participants_f + self.participants_m

    @property
    def is_broadcast(self) -> bool:
        return self.kind in self.BROADCAST

    def materials(self) -> dict[str, int]:
        """The materials handed out, by kind, those with none left out."""
        return {
            kind: getattr(self, name)
            for kind, name in self.MATERIALS.items()
            if getattr(self, name)
        }

    def hotline_mscs(self) -> models.QuerySet:
        """The MSCs whose hotline this session's audience calls: the organisation itself when it
        is an MSC, every MSC for the Migration Service (a national programme)."""
        mscs = Office.objects.filter(kind=Office.Kind.MSC)
        return mscs.filter(pk=self.org_id) if self.org.kind == Office.Kind.MSC else mscs

    def hotline_calls(self) -> HotlineCalls | None:
        """For a radio or TV programme: the contacts the hotline received on the day and the
        next (Dushanbe dates), data and non-data calls apart. None for other kinds."""
        if not self.is_broadcast:
            return None
        return HotlineCalls.count(self.hotline_mscs(), self.held_on)


@dataclass(frozen=True)
class DayCalls:
    on: datetime.date
    data: int
    non_data: int

    @property
    def total(self) -> int:
        return self.data + self.non_data


@dataclass(frozen=True)
class HotlineCalls:
    day: DayCalls
    next_day: DayCalls

    @property
    def total(self) -> int:
        return self.day.total + self.next_day.total

    @classmethod
    def count(cls, mscs, on: datetime.date) -> HotlineCalls:
        from safar.helpdesk.models import Contact

        days = (on, on + datetime.timedelta(days=1))
        counted = []
        for day in days:
            # The day's bounds in Dushanbe, whatever the server's time zone.
            start = datetime.datetime.combine(day, datetime.time(), DUSHANBE)
            end = start + datetime.timedelta(days=1)
            counts = Contact.objects.filter(
                msc__in=mscs, received_at__gte=start, received_at__lt=end
            ).aggregate(
                data=Count("pk", filter=Q(call_type=Contact.CallType.DATA)),
                non_data=Count("pk", filter=~Q(call_type=Contact.CallType.DATA)),
            )
            counted.append(DayCalls(day, counts["data"], counts["non_data"]))
        return cls(*counted)


# --- trainings -------------------------------------------------------------------------------


class Question(models.Model):
    """A question of the knowledge check on a topic (a group of contact categories), in the
    three interface languages; administrators maintain the bank."""

    topic = models.ForeignKey(
        "helpdesk.Category",
        verbose_name=_("topic"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text_tg = models.TextField(_("question (Tajik)"))
    text_ru = models.TextField(_("question (Russian)"))
    text_en = models.TextField(_("question (English)"))
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["topic", "position", "id"]
        verbose_name = _("knowledge check question")
        verbose_name_plural = _("knowledge check questions")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The question in the active language (as TranslatedName.name)."""
        lang = (get_language() or settings.LANGUAGE_CODE)[:2]
        return getattr(self, f"text_{lang}", None) or self.text_en


class Choice(TranslatedName):
    """One answer offered to a question; exactly one per question is correct."""

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(correct=True),
                name="outreach_choice_one_correct_per_question",
            ),
        ]


class TrainingQuerySet(models.QuerySet):
    def visible_to(self, user) -> TrainingQuerySet:
        return restrict_to_scope(self, user, app=APP, organisation_field="org")


class Training(models.Model):
    """A training of people who advise migrants (Migration Service staff, jamoat leaders,
    committee representatives, MSC staff), with a knowledge check before and after."""

    org = models.ForeignKey(
        Office,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind__in": ORGANISATION_KINDS},
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    district = models.ForeignKey(
        District,
        verbose_name=_("district or city"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topics = models.ManyToManyField("helpdesk.Category", verbose_name=_("topics"), related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = TrainingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="outreach_training_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def gains(self) -> list[TopicGain]:
        """Per topic: trainees checked, the average score before and after and the average
        gain, in percentage points of the questions asked."""
        return TopicGain.of(Score.objects.filter(trainee__training=self))


class Trainee(models.Model):
    training = models.ForeignKey(
        Training, verbose_name=_("training"), on_delete=models.CASCADE, related_name="trainees"
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200)
    position = models.CharField(_("position held"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)

    class Meta:
        ordering = ["training", "id"]
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")

    def __str__(self) -> str:
        return self.name


class Score(models.Model):
    """A trainee's knowledge check on one topic: right answers out of the questions asked,
    before the training and after it."""

    trainee = models.ForeignKey(
        Trainee, verbose_name=_("trainee"), on_delete=models.CASCADE, related_name="scores"
    )
    topic = models.ForeignKey(
        "helpdesk.Category", verbose_name=_("topic"), on_delete=models.PROTECT, related_name="+"
    )
    questions = models.PositiveSmallIntegerField(_("questions asked"))
    before = models.PositiveSmallIntegerField(_("right before"))
    after = models.PositiveSmallIntegerField(_("right after"))

    class Meta:
        ordering = ["trainee", "topic"]
        verbose_name = _("knowledge check score")
        verbose_name_plural = _("knowledge check scores")
        constraints = [
            models.UniqueConstraint(fields=["trainee", "topic"], name="outreach_score_once"),
            models.CheckConstraint(
                condition=Q(questions__gt=0)
                & Q(before__lte=F("questions"))
                & Q(after__lte=F("questions")),
                name="outreach_score_within_questions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} {self.topic_id}: {self.before} → {self.after} / {self.questions}"


@dataclass(frozen=True)
class TopicGain:
    topic: str
    name: str
    trainees: int
    before_pct: float
    after_pct: float

    @property
    def gain_pct(self) -> float:
        """The average gain in percentage points (after − before), rounded to one decimal."""
        return round(self.after_pct - self.before_pct, 1)

    @classmethod
    def of(cls, scores: Iterable[Score] | models.QuerySet) -> list[TopicGain]:
        """Averages of each topic's scores, as percentages of the questions asked, by topic."""
        rows = (
            scores.order_by()  # type: ignore[union-attr]
            .values("topic", "topic__position")
            .annotate(
                trainees=Count("trainee", distinct=True),
                before_pct=Avg(100.0 * F("before") / F("questions")),
                after_pct=Avg(100.0 * F("after") / F("questions")),
            )
            .order_by("topic__position", "topic")
        )
        from safar.helpdesk.models import Category

        names = {c.code: c.name for c in Category.objects.filter(pk__in=[r["topic"] for r in rows])}
        return [
            cls(
                topic=row["topic"],
                name=names[row["topic"]],
                trainees=row["trainees"],
                before_pct=row["before_pct"],
                after_pct=row["after_pct"],
            )
            for row in rows
        ]
