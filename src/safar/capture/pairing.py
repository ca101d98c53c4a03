"""A card and the passport page scanned after it.

Operators scan a card and then the traveller's passport data page: the next page of the same
file, or page 1 of the batch's next file. A page that holds a passport's MRZ instead of a card
(`Scan.is_passport_page`) belongs to the page before it, and its MRZ fills the card's identity
fields as one on the card's own page would (`reader.apply_mrz`).

Workers read pages in parallel, so either page may be read first. A page that may still get a
passport page (the next page is not read yet, or the next file not yet split) waits in `read`;
whichever of the two is read last routes both. Both rows are locked, always the earlier page
first (no deadlock), and every step only acts on a page still `read`, so a task run twice
changes nothing. See docs/capture.md ("A passport page after the card").
"""

from django.db import transaction

from safar.core.models import AuditEvent

from . import services
from .models import Scan, Upload
from .reader import apply_mrz, confirms_traveller


class Pending:
    """The neighbouring page is not known yet: its file is received but not split."""


PENDING = Pending()


def route_page(*, scan: Scan) -> Scan:
    """Route a `read` page, and the neighbour that may have waited for it to be read: the card
    before it (is this its passport?) or, for a passport page, the passport page after it (is
    this its card?)."""
    if scan.is_passport_page:
        routed = route_passport_page(scan)
        after = next_page(scan)
        if _waiting(after) and after.is_passport_page:
            route_passport_page(after)
        return routed
    before = previous_page(scan)
    if _waiting(before) and not before.is_passport_page:
        route_card(before)
    return route_card(scan)


def _waiting(page) -> bool:
    return isinstance(page, Scan) and page.status == Scan.Status.READ


@transaction.atomic
def route_card(card: Scan) -> Scan:
    """Save or queue a `read` page that is not a passport page, with the passport page after it
    when there is one; leave it `read` while that page is not read yet."""
    card = services.locked(card)
    if card.status != Scan.Status.READ or card.is_passport_page:
        return card
    after = next_page(card)
    if after is PENDING:
        return card
    if after is not None:
        after = services.locked(after)
        if after.status == Scan.Status.RECEIVED:
            return card
        if after.status == Scan.Status.READ and after.is_passport_page:
            attach(passport=after, card=card)
            return services.locked(card)
    return services.route_scan(scan=card)


@transaction.atomic
def route_passport_page(passport: Scan) -> Scan:
    """Attach a `read` passport page to the card before it, or queue it when no card precedes
    it; leave it `read` while the card is not read yet."""
    before = previous_page(passport)
    card = services.locked(before) if isinstance(before, Scan) else None  # the earlier first
    if card is not None and card.is_passport_page:
        card = None  # two passport pages in a row: the second has no card
    if card is not None and card.status == Scan.Status.FAILED:
        card = None  # the worker failed on the card: an operator sees the passport page alone
    passport = services.locked(passport)
    if passport.status != Scan.Status.READ:
        return passport
    if before is PENDING or (card is not None and card.status == Scan.Status.RECEIVED):
        return passport
    if card is None:
        return without_card(passport)
    return attach(passport=passport, card=card)


def attach(*, passport: Scan, card: Scan) -> Scan:
    """The passport page joins its card (both locked): its MRZ fills the card's reading while
    the card is not yet saved or rejected, and the card is routed again; the page is saved."""
    mrz = passport.reading.get("mrz") or {}
    note = {
        "scan": passport.pk,
        "upload": passport.upload_id,
        "page": passport.page,
        "mrz": mrz,
        "applied": False,
    }
    if card.status in (Scan.Status.READ, Scan.Status.NEEDS_REVIEW):
        reading = dict(card.reading)
        reading["values"] = dict(reading.get("values", {}))
        confirmed = confirms_traveller(reading, mrz)
        note["filled"] = apply_mrz(reading, mrz)
        note["applied"] = bool(mrz.get("valid"))
        if note["applied"] and reading.get("aligned") and not confirmed:
            keep_for_operator(reading, note["filled"])
        reading["passport"] = note
        _route_again(card, reading)
    else:
        # Saved or rejected meanwhile (the passport came in a later file): linked, not applied.
        card.reading = {**card.reading, "passport": note}
        card.save(update_fields=["reading"])
    passport.status = Scan.Status.SAVED
    passport.card_scan = card
    passport.save(update_fields=["status", "card_scan"])
    AuditEvent.record(
        user=None,
        action=AuditEvent.Action.UPDATE,
        obj=passport,
        changes={"status": [Scan.Status.READ, Scan.Status.SAVED], "card_scan": card.pk},
    )
    return passport


def keep_for_operator(reading: dict, filled: list[str]) -> None:
    """No name the card reader was sure of agrees with the passport: it may be another
    traveller's, scanned out of order. What it filled stays doubtful, for an operator."""
    doubtful = set(reading["doubtful"]) | set(filled)
    reading["doubtful"] = [name for name in reading["values"] if name in doubtful]
    reading["confident"] = False


def _route_again(card: Scan, reading: dict) -> None:
    """The card with the passport's values, routed as a freshly read card: saved when now
    confident, else (back) in the queue with the reason that now applies."""
    card.reading = reading
    card.status = Scan.Status.READ
    card.review_reason = ""
    if card.problem.startswith("refused:"):
        card.problem = ""
    card.save(update_fields=["reading", "status", "review_reason", "problem"])
    services.route_scan(scan=card)


def without_card(passport: Scan) -> Scan:
    """No card before it: an operator decides (scanned in the wrong order, or the card is in
    another batch). It enters the queue like a page, so R12 counts it once it is there."""
    services.count_outcome(passport, "scanned")
    return services.queue_for_review(passport, Scan.ReviewReason.NO_CARD)


def previous_page(scan: Scan) -> Scan | Pending | None:
    """The page scanned just before: the previous page of the file, or the last page of the
    batch's previous file (files in the order they were received)."""
    if scan.page > 1:
        return Scan.objects.filter(upload_id=scan.upload_id, page=scan.page - 1).first()
    upload = (
        Upload.objects.filter(batch_id=scan.upload.batch_id, pk__lt=scan.upload_id)
        .order_by("-pk")
        .first()
    )
    return _page_of(upload, last=True)


def next_page(scan: Scan) -> Scan | Pending | None:
    """The page scanned just after: the next page of the file, or page 1 of the batch's next
    file."""
    following = Scan.objects.filter(upload_id=scan.upload_id, page=scan.page + 1).first()
    if following is not None:
        return following
    upload = (
        Upload.objects.filter(batch_id=scan.upload.batch_id, pk__gt=scan.upload_id)
        .order_by("pk")
        .first()
    )
    return _page_of(upload, last=False)


def _page_of(upload: Upload | None, *, last: bool) -> Scan | Pending | None:
    if upload is None:
        return None
    if upload.status == Upload.Status.RECEIVED:
        return PENDING  # its pages are recorded all at once when it is split
    return upload.scans.order_by("-page" if last else "page").first()
