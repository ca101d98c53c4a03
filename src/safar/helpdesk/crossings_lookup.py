"""Filling the stay calculator from a client's own crossings in the registry, with consent.

The only place an MSC sees anything of the crossing registry: a consultant (who holds
`helpdesk.look_up_crossings`) records that the client agrees, then looks up the crossings of the
case's migrant by passport number (and date of birth when the case has it). Each lookup names
its purpose in the audit trail (a `search` event) and in the case's timeline (a `crossings`
event) with counts only; the crossings themselves are shown once and never stored here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safar.core.models import AuditEvent
from safar.crossings.models import Crossing

from .models import Case, CaseEvent, CasePerson
from .staycheck import (
    MAX_TRIPS,
    BanCheckOutcome,
    clean_ban_check,
    run_ban_check,
    trips_from_crossings,
)

# Named in every audit event of a lookup: why the registry was read.
PURPOSE = "stay calculation"
# A lifetime of travel is far fewer cards; this bounds the rows one lookup reads.
MAX_CROSSINGS = 4 * MAX_TRIPS


class LookupRefused(Exception):
    """The lookup cannot be made; `message` says why, for the consultant."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class CrossingsLookup:
    """What a lookup found: the trips to Russia, the calculator's answer, and the counts."""

    crossings: int
    trips: list[dict[str, str | None]]
    unpaired: int
    as_of: datetime.date
    outcome: BanCheckOutcome | None = None
    dropped: int = 0  # trips older than the calculator's row limit, left out
    problems: list[str] = field(default_factory=list)


def migrant_of(case: Case) -> CasePerson | None:
    """The person of the case whose crossings are looked up: its migrant with a passport."""
    return case.people.filter(relation=CasePerson.Relation.MIGRANT).exclude(passport="").first()


@transaction.atomic
def record_crossings_consent(*, case: Case, user) -> None:
    """The client agrees that their crossings fill the stay calculator (asked once per case)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.crossings_consent_at is not None:
        return
    Case.objects.filter(pk=case.pk).update(
        crossings_consent_at=timezone.now(), crossings_consent_by=user
    )
    CaseEvent.objects.create(case=case, user=user, kind=CaseEvent.Kind.CONSENT, action="crossings")
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.UPDATE,
        obj=case,
        changes={"crossings_consent": [None, "given"]},
    )


def look_up_crossings(*, case: Case, user, today: datetime.date) -> CrossingsLookup:
    """The case migrant's trips to Russia from the registry, run through the stay calculator.

    Raises LookupRefused without the client's recorded consent (403) or without a passport
    number to look up by, or when the number alone names several people (400). Not one
    transaction: the audit event of a registry read stays even when the lookup is refused."""
    if case.crossings_consent_at is None:
        raise LookupRefused(
            _("The client has not agreed: record their consent before looking up crossings."),
            status=403,
        )
    person = migrant_of(case)
    if person is None:
        raise LookupRefused(_("Record the migrant's passport number in the case first."))
    found = Crossing.objects.for_traveller(person.passport, person.birth_date).of_citizens()
    rows = list(found.only("direction", "crossed_on", "country", "traveller")[:MAX_CROSSINGS])
    people = {row.traveller_id for row in rows}
    _record(case, user, by_birth_date=person.birth_date is not None, crossings=len(rows))
    if len(people) > 1:
        raise LookupRefused(
            _(
                "Several people in the registry hold this passport number: record the client's "
                "date of birth in the case and look up again."
            )
        )
    trips, unpaired = trips_from_crossings(rows)
    lookup = CrossingsLookup(
        crossings=len(rows),
        trips=trips[-MAX_TRIPS:],
        unpaired=unpaired,
        as_of=today,
        dropped=max(len(trips) - MAX_TRIPS, 0),
    )
    _record_trips(case, user, lookup)
    if trips:
        errors: dict[str, list[str]] = {}
        data = clean_ban_check(
            {"trips": lookup.trips, "as_of": today.isoformat()},
            default_as_of=today,
            today=today,
            errors=errors,
            prefix="ban_check",
        )
        if data is None:
            lookup.problems = [message for messages in errors.values() for message in messages]
        else:
            lookup.outcome = run_ban_check(data.case)
    return lookup


def _record(case: Case, user, *, by_birth_date: bool, crossings: int) -> None:
    """The audit event of a registry read: its purpose and counts, never the passport number."""
    AuditEvent.record(
        user=user,
        action=AuditEvent.Action.SEARCH,
        object_type="crossings.crossing",
        query={
            "purpose": PURPOSE,
            "case": case.pk,
            "by": "passport and date of birth" if by_birth_date else "passport",
            "found": crossings,
        },
    )


def _record_trips(case: Case, user, lookup: CrossingsLookup) -> None:
    CaseEvent.objects.create(
        case=case,
        user=user,
        kind=CaseEvent.Kind.CROSSINGS,
        action="look_up",
        # Counts only: the crossings stay in the registry.
        comment=f"crossings: {lookup.crossings}; trips to Russia: {len(lookup.trips)}",
    )
