"""The helpdesk's models: the hotline (contacts.py) and the case work that grows from it
(cases.py)."""

from .cases import (
    Case,
    CaseDocument,
    CaseEvent,
    CaseNote,
    CasePerson,
    CaseQuerySet,
    Referral,
    ReferralQuerySet,
    Service,
)
from .contacts import (
    APP,
    BanCheckResult,
    Caller,
    CallerQuerySet,
    Category,
    Contact,
    ContactCount,
    ContactQuerySet,
)

__all__ = [
    "APP",
    "BanCheckResult",
    "Caller",
    "CallerQuerySet",
    "Case",
    "CaseDocument",
    "CaseEvent",
    "CaseNote",
    "CasePerson",
    "CaseQuerySet",
    "Category",
    "Contact",
    "ContactCount",
    "ContactQuerySet",
    "Referral",
    "ReferralQuerySet",
    "Service",
]
