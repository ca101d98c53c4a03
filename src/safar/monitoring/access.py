"""Who may do what with the MSCs' monthly reports: every monitoring view, command and endpoint
asks these.

An MSC's consultants read their centre's report; its supervisor (the MSC head) also types the
hand-counted figures and submits it; the coordinator at the centre reads every MSC's, returns,
accepts and reopens them. Administrators map the figures to DHIS2 and send them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from safar.core.models import Office
from safar.core.permissions import organisations_in_scope

APP = "monitoring"


def can_read_monthly_reports(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("monitoring.view_monthlyreport"))


def mscs_for(user) -> QuerySet[Office]:
    """The MSCs whose monthly reports the user reads: their own, or all for a wide scope."""
    mscs = Office.objects.filter(kind=Office.Kind.MSC)
    if not can_read_monthly_reports(user):
        return mscs.none()
    return organisations_in_scope(mscs, user, app=APP)


def can_submit(user, msc: Office) -> bool:
    """The MSC head (supervisor) of this centre, or an administrator."""
    return (
        user.has_perm("monitoring.submit_monthlyreport")
        and mscs_for(user).filter(pk=msc.pk).exists()
    )


def can_review(user) -> bool:
    """The coordinator: returns, accepts and reopens every MSC's reports."""
    return bool(user.is_authenticated and user.has_perm("monitoring.review_monthlyreport"))


def can_send_to_dhis2(user) -> bool:
    return bool(user.is_authenticated and user.has_perm("monitoring.send_to_dhis2"))
