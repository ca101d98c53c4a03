"""Who may read the reports: analysts and administrators.

Operators do not: their work is the cards of one centre, and the reports cover every centre.
Kept beside core.permissions' role helpers so that the page, the API and the home page agree.
"""

from safar.core.models import Role

REPORT_ROLES = (Role.ANALYST, Role.ADMINISTRATOR)


def can_read_reports(user) -> bool:
    return bool(user and user.is_authenticated and any(user.has_role(r) for r in REPORT_ROLES))
