"""What a partner organisation sees of a referred case: only the items the referral shares
(`Referral.shared`, which the client consented to), and nothing of the client once the MSC has
revoked it. The partner's pages and the API both read `shared_view`; the sensitive parts of a
case (psychological, health, trafficking details, service notes) are never an item to share."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from .models import CasePerson, Referral

Share = Referral.Share


def principal(people: list[CasePerson]) -> CasePerson | None:
    """The client a referral is about: the migrant, else the first person of the case."""
    for person in people:
        if person.relation == CasePerson.Relation.MIGRANT:
            return person
    return people[0] if people else None


def shared_view(referral: Referral) -> dict[str, Any]:
    """The referred case as its partner may see it: each key present only when its item is
    shared (and the referral not revoked). Plain values, for a template or JSON."""
    case = referral.case
    view: dict[str, Any] = {"case_number": case.number, "msc": case.msc.code}
    if referral.status == Referral.Status.REVOKED:
        return view
    people = list(case.people.all())
    client = principal(people)
    if referral.shares(Share.CONTACT) and client is not None:
        view["contact"] = {"name": client.name, "phone": client.phone}
    if referral.shares(Share.IDENTITY) and client is not None:
        view["identity"] = {
            "birth_date": client.birth_date.isoformat() if client.birth_date else None,
            "passport": client.passport,
        }
    if referral.shares(Share.FAMILY):
        view["family"] = [
            {
                "relation": person.relation,
                "relation_label": str(person.get_relation_display()),
                "name": person.name,
                "school": person.school,
                "school_label": str(person.get_school_display()) if person.school else "",
            }
            for person in people
            if person is not client
        ]
    if referral.shares(Share.SUMMARY):
        view["summary"] = {
            "type": case.case_type,
            "type_label": str(case.get_case_type_display()),
            "about": case.summary,
            "categories": sorted(str(category.name) for category in case.categories.all()),
        }
    if referral.shares(Share.ASSESSMENT):
        view["assessment"] = {"assessment": case.assessment, "plan": case.plan}
    if referral.shares(Share.DOCUMENTS):
        view["documents"] = [
            {"id": document.pk, "title": document.title, "size": document.size}
            for document in case.documents.all()
        ]
    return view


def referral_counts(referrals) -> dict[str, int]:
    """{status: number} of `referrals`, every status present (0 when none)."""
    found = referrals.aggregate(
        **{
            status: Count("pk", filter=Q(status=status))
            for status in Referral.Status.values  # type: ignore[attr-defined]
        }
    )
    return {status: found[status] or 0 for status in Referral.Status.values}
