"""The registry of border crossings, one row per migration card."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from safar.core.models import BorderPoint, Country, District, Purpose, Region

from . import rules
from .rules import CITIZEN_COUNTRY


class Direction(models.TextChoices):
    ENTRY = "entry", _("entry")
    EXIT = "exit", _("exit")


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Traveller(models.Model):
    """A person as the registry knows them: citizenship + passport number + date of birth."""

    # No index of its own: the identity constraint below starts with citizenship.
    citizenship = models.ForeignKey(
        Country,
        verbose_name=_("citizenship"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    passport_number = models.CharField(_("passport number"), max_length=20)
    birth_date = models.DateField(_("date of birth"))

    class Meta:
        verbose_name = _("traveller")
        verbose_name_plural = _("travellers")
        constraints = [
            models.UniqueConstraint(
                fields=["citizenship", "passport_number", "birth_date"],
                name="traveller_identity_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(birth_date__gte=rules.EARLIEST_BIRTH),
                name="traveller_birth_date_plausible",
            ),
        ]
        indexes = [models.Index(fields=["passport_number"])]

    def __str__(self) -> str:
        return f"{self.citizenship_id} {self.passport_number}"

    @property
    def is_citizen(self) -> bool:
        return self.citizenship_id == CITIZEN_COUNTRY

    @staticmethod
    def normalize_passport(value: str) -> str:
        """One spelling per passport: upper case, no spaces (keys the traveller's identity)."""
        return rules.normalise_passport_number(value)


# What `CrossingQuerySet.breaking` looks for: the rules (rules.py) a CHECK cannot hold.
RULES_OUTSIDE_THE_DATABASE = {
    "crossed_on": "date of crossing in the future or before SAFAR_EARLIEST_CROSSING",
    "birth_date": "date of birth on or after the date of crossing",
    "residence": "region or district of residence for a non-citizen",
    "district_region": "district outside the region given",
}


class CrossingQuerySet(models.QuerySet):
    def exits(self):
        return self.filter(direction=Direction.EXIT)

    def entries(self):
        return self.filter(direction=Direction.ENTRY)

    def of_citizens(self):
        return self.filter(traveller__citizenship_id=CITIZEN_COUNTRY)

    def in_period(self, start, end):
        return self.filter(crossed_on__gte=start, crossed_on__lte=end)

    def for_traveller(self, passport_number: str, birth_date=None):
        """One person's crossings in the order they happened (date, then order recorded), by
        passport number (any spelling) and, when known, date of birth: the registry keys a
        traveller by both, so without the date the crossings of several people holding the
        same number may come back (`traveller_id` tells them apart)."""
        found = self.filter(
            traveller__passport_number=rules.normalise_passport_number(passport_number)
        )
        if birth_date is not None:
            found = found.filter(traveller__birth_date=birth_date)
        return found.order_by("crossed_on", "id")

    def breaking(self, rule: str, *, today, earliest):
        """Stored crossings that break one of the rules the database cannot check (they span
        the crossing and its traveller, or depend on today and a setting): `rule` is one of
        RULES_OUTSIDE_THE_DATABASE. Rows written before the rules, or straight into the
        database, may; every write path refuses them now."""
        conditions = {
            "crossed_on": models.Q(crossed_on__gt=today) | models.Q(crossed_on__lt=earliest),
            "birth_date": models.Q(traveller__birth_date__gte=models.F("crossed_on")),
            "residence": ~models.Q(traveller__citizenship_id=CITIZEN_COUNTRY)
            & (models.Q(region__isnull=False) | models.Q(district__isnull=False)),
            "district_region": models.Q(district__isnull=False, region__isnull=False)
            & ~models.Q(district__region_id=models.F("region_id")),
        }
        return self.filter(conditions[rule])

    def visible_to(self, user):
        """Operators see their own centre's cards only; analysts and administrators see all."""
        from safar.core.permissions import restrict_to_scope

        return restrict_to_scope(
            self, user, app="crossings", organisation_field="border_point__centre"
        )


class Crossing(models.Model):
    """One migration card: a traveller crossing the border once, in one direction.

    Names and sex are kept as written on the card; the traveller row holds only the identity key.
    """

    class Source(models.TextChoices):
        FORM = "form", _("entered by hand")
        IMPORT = "import", _("imported")
        SCAN = "scan", _("read from a scan")

    card_number = models.CharField(_("card number"), max_length=16, unique=True)
    direction = models.CharField(_("direction"), max_length=5, choices=Direction.choices)
    crossed_on = models.DateField(_("date of crossing"))
    # Foreign keys carry no index of their own (db_index=False): every index costs each insert,
    # and the import must take a million rows a minute. The traveller is covered by
    # crossing_traveller_seq; reference codes are only looked up when a code is deleted.
    border_point = models.ForeignKey(
        BorderPoint,
        verbose_name=_("border point"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    traveller = models.ForeignKey(
        Traveller,
        verbose_name=_("traveller"),
        on_delete=models.PROTECT,
        related_name="crossings",
        db_index=False,
    )
    surname = models.CharField(_("surname"), max_length=100, blank=True)
    given_names = models.CharField(_("given names"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    purpose = models.ForeignKey(
        Purpose,
        verbose_name=_("purpose of travel"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # Destination for an exit, country of departure for an entry.
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region of residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("district of residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    source = models.CharField(
        _("source"), max_length=6, choices=Source.choices, default=Source.FORM
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # Counts the corrections: a correction names the version it was made on, and one made on an
    # older version is refused (two operators must not silently overwrite each other). The
    # database fills it in for the import's bulk inserts.
    version = models.PositiveIntegerField(_("version"), default=1, db_default=1)

    objects = CrossingQuerySet.as_manager()

    class Meta:
        verbose_name = _("crossing")
        verbose_name_plural = _("crossings")
        indexes = [
            # A traveller's crossings in order: date, then the order they were recorded (id).
            models.Index(fields=["traveller", "crossed_on", "id"], name="crossing_traveller_seq"),
            models.Index(fields=["crossed_on"], name="crossing_date"),
            models.Index(fields=["surname", "given_names"], name="crossing_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direction__in=["entry", "exit"]), name="crossing_direction_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(sex__in=["M", "F"]), name="crossing_sex_valid"
            ),
            # The stored spelling (rules.normalise_card_number): upper case, no separators, not
            # empty. With the unique constraint above, `im0000001` and `IM0000001` cannot both
            # be stored. (Latin letters and digits only is the rules' job: a pattern match
            # is spelled differently in SQLite and PostgreSQL.)
            models.CheckConstraint(
                condition=models.Q(card_number=Upper("card_number"))
                & ~models.Q(card_number="")
                & ~models.Q(card_number__contains="-")
                & ~models.Q(card_number__contains=" "),
                name="crossing_card_number_normalised",
            ),
            # A floor only: the configurable SAFAR_EARLIEST_CROSSING (not earlier) and "not in
            # the future" (not a constant) are the rules' job.
            models.CheckConstraint(
                condition=models.Q(crossed_on__gte=rules.EARLIEST_CROSSING_FLOOR),
                name="crossing_date_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.card_number

    def _neighbours(self):
        return Crossing.objects.filter(traveller_id=self.traveller_id).exclude(pk=self.pk)

    def previous_crossing(self) -> "Crossing | None":
        """The traveller's crossing just before this one (date, then order recorded)."""
        before = models.Q(crossed_on__lt=self.crossed_on) | models.Q(
            crossed_on=self.crossed_on, id__lt=self.pk
        )
        return self._neighbours().filter(before).order_by("-crossed_on", "-id").first()

    def next_crossing(self) -> "Crossing | None":
        """The traveller's crossing just after this one (date, then order recorded)."""
        after = models.Q(crossed_on__gt=self.crossed_on) | models.Q(
            crossed_on=self.crossed_on, id__gt=self.pk
        )
        return self._neighbours().filter(after).order_by("crossed_on", "id").first()


# --- the aggregate cells ----------------------------------------------------------------------
# Pre-aggregated counts ("cubes") that make every report answer in milliseconds. Each cell counts
# crossings (or, for the `abroad` cube, +1/-1 events) that share one period and one value of each
# dimension, at three grains, so that any period is read as whole years + whole months + single
# days (see safar.crossings.cubes). This app keeps them up to date in the same transaction as
# the crossings they count (aggregates.py); `safar rebuild-aggregates` recomputes them, and the
# tests prove both ways agree. The reports app only reads them.


class Grain(models.TextChoices):
    DAY = "D", "day"
    MONTH = "M", "month"
    YEAR = "Y", "year"


class Cell(models.Model):
    cube = models.CharField(max_length=12)
    grain = models.CharField(max_length=1, choices=Grain.choices)
    # The day, or the first day of the month or year, that the cell covers.
    period = models.DateField()
    # Dimensions; '' where a cube does not use one. Their meaning per cube is in cubes.py.
    border_point = models.CharField(max_length=3, default="")
    sex = models.CharField(max_length=1, default="")
    country = models.CharField(max_length=3, default="")
    key = models.CharField(max_length=16, default="")
    key2 = models.CharField(max_length=16, default="")
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cube", "grain", "period", "border_point", "sex", "country", "key", "key2"],
                name="cell_identity_unique",
            ),
        ]
        indexes = [
            # The reports' read path (reports/cellsum.py): a range on (cube, grain, period) with
            # every dimension and the count in the index itself, so reading never visits the
            # table (SQLite has no INCLUDE; on PostgreSQL this allows index-only scans).
            models.Index(
                fields=[
                    "cube",
                    "grain",
                    "period",
                    "border_point",
                    "sex",
                    "country",
                    "key",
                    "key2",
                    "count",
                ],
                name="cell_read",
            ),
            # The cells at 0, which a write deletes before it commits (aggregates.py): so
            # there are none but those of the write in progress, and a bulk write finds them
            # here instead of looking up each cell it changed.
            models.Index(fields=["id"], condition=models.Q(count=0), name="cell_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.cube}/{self.grain}/{self.period}: {self.count}"
