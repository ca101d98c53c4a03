"""Who may review which scans: an operator their own centre's, an administrator every centre's.

Analysts see capture counts in R12, not the scanned cards; anyone without the right to enter
cards gets 403, and another centre's scan is 404 (its existence is not revealed).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from safar.crossings.access import can_enter_crossings

from .models import Scan, Upload


def visible_scans(user):
    """Scans the user may review: an operator's own centre's, an administrator's every centre's;
    403 for anyone else (analysts see capture counts in R12, not the scanned cards)."""
    if not can_enter_crossings(user):
        raise PermissionDenied
    return Scan.objects.visible_to(user)


def visible_uploads(user):
    if not can_enter_crossings(user):
        raise PermissionDenied
    return Upload.objects.visible_to(user)


def get_scan_for_user(user, pk):
    """The scan if the user may review it; 404 when it is another centre's."""
    return get_object_or_404(visible_scans(user).select_related("upload__batch__centre"), pk=pk)
