"""Who may read the reports: analysts and administrators.

Operators do not: their work is the cards of one centre, and the reports cover every centre.
Kept beside core.permissions' role helpers so that the page, the API and the home page agree.
"""


def can_read_reports(user) -> bool:
    """Analysts and administrators: the role that holds `reports.read_reports` (see apps.py)."""
    return bool(user and user.is_authenticated and user.has_perm("reports.read_reports"))
