"""The contact counts the dashboard reads (`ContactCount`): contacts per MSC × month of
Dushanbe dates × data or not × category group, kept exact in the same transaction as every
contact write.

Each write recounts the cells it touches from the contacts themselves (a few thousand rows of
one MSC-month, read through the (msc, call_type, received_at, id) index), rather than adding
and subtracting: a contact counts once in a group however many of its categories are in it,
which a recount gets right without knowing the contact's other links.

The writes and how they keep the counts:

- a contact saved or deleted through the ORM (the contact form and the API via
  `services.log_contact`, the admin, a correction), and its categories set, added, removed or
  cleared from either side: signals, connected in `connect()` (the recount runs in the write's
  transaction; on PostgreSQL it first locks the MSC's row, so that two writers at one MSC
  recount one after the other and the later sees the earlier's contact);
- bulk loads that bypass the signals (the synthetic and demo generators, the benchmark's fill):
  they call `recount_mscs()` for the MSCs they loaded, in their own transaction.

`safar check-contact-counts` compares the table with a recount of everything
(`--rebuild` rewrites it).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

LOCAL = zoneinfo.ZoneInfo("Asia/Dushanbe")
DATA = "data"

Cell = tuple[int, datetime.date]  # (msc id, first day of the month)
Key = tuple[int, datetime.date, bool, str]  # (msc id, month, data, group)


def month_of(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(LOCAL).date().replace(day=1)


def _next(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def _bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(month, datetime.time(), LOCAL)
    return start, datetime.datetime.combine(_next(month), datetime.time(), LOCAL)


def count_cell(msc_id: int, month: datetime.date) -> dict[Key, int]:
    """The counts of one MSC-month, recounted from the contacts (zeros left out)."""
    from .models import Contact

    start, end = _bounds(month)
    contacts = Contact.objects.filter(msc_id=msc_id, received_at__gte=start, received_at__lt=end)
    found = contacts.aggregate(
        data=Count("pk", filter=Q(call_type=DATA)), other=Count("pk", filter=~Q(call_type=DATA))
    )
    counts: dict[Key, int] = {}
    for data, n in ((True, found["data"]), (False, found["other"])):
        if n:
            counts[(msc_id, month, data, "")] = n
    links = (
        Contact.categories.through.objects.filter(
            contact__msc_id=msc_id, contact__received_at__gte=start, contact__received_at__lt=end
        )
        .values_list("category__parent_id")
        .annotate(
            data=Count("contact_id", distinct=True, filter=Q(contact__call_type=DATA)),
            other=Count("contact_id", distinct=True, filter=~Q(contact__call_type=DATA)),
        )
        .order_by()
    )
    for group, data_n, other_n in links:
        for data, n in ((True, data_n), (False, other_n)):
            if n:
                counts[(msc_id, month, data, group or "-")] = n
    return counts


def recount(cells: Iterable[Cell]) -> None:
    """Rewrite the counts of these MSC-months from the contacts, in the caller's transaction
    (or one of its own)."""
    from safar.core.models import Office

    from .models import ContactCount

    cells = sorted(set(cells))
    if not cells:
        return
    with transaction.atomic():
        # One writer at a time per MSC (PostgreSQL; SQLite writes one at a time anyway): NO
        # KEY UPDATE does not block the inserts that reference the office.
        list(
            Office.objects.select_for_update(no_key=True)
            .filter(pk__in={msc for msc, _ in cells})
            .order_by("pk")
            .values_list("pk")
        )
        for msc_id, month in cells:
            ContactCount.objects.filter(msc_id=msc_id, month=month).delete()
            ContactCount.objects.bulk_create(
                ContactCount(msc_id=m, month=mo, data=d, group=g, n=n)
                for (m, mo, d, g), n in count_cell(msc_id, month).items()
            )


def _months_of(msc_id: int) -> list[datetime.date]:
    from .models import Contact

    contacts = Contact.objects.filter(msc_id=msc_id)
    first = contacts.aggregate(first=Min("received_at"))["first"]
    if first is None:
        return []
    last = contacts.order_by("-received_at").values_list("received_at", flat=True)[0]
    months, month, end = [], month_of(first), month_of(last)
    while month <= end:
        months.append(month)
        month = _next(month)
    return months


def recount_mscs(msc_ids: Iterable[int]) -> None:
    """Rewrite every count of these MSCs (after a bulk load)."""
    from .models import ContactCount

    with transaction.atomic():
        for msc_id in sorted(set(msc_ids)):
            ContactCount.objects.filter(msc_id=msc_id).delete()
            recount((msc_id, month) for month in _months_of(msc_id))


def recounted() -> dict[Key, int]:
    from safar.core.models import Office

    counts: dict[Key, int] = {}
    for msc_id in Office.objects.values_list("pk", flat=True):
        for month in _months_of(msc_id):
            counts |= count_cell(msc_id, month)
    return counts


def compare_with_recount() -> list[tuple[int, datetime.date, bool, str, int, int]]:
    """(msc, month, data, group, kept, recounted) of every count that differs."""
    from .models import ContactCount

    kept = {
        (m, mo, d, g): n
        for m, mo, d, g, n in ContactCount.objects.values_list(
            "msc_id", "month", "data", "group", "n"
        )
    }
    fresh = recounted()
    return [
        (*key, kept.get(key, 0), fresh.get(key, 0))
        for key in sorted(kept.keys() | fresh.keys())
        if kept.get(key, 0) != fresh.get(key, 0)
    ]


def rebuild() -> int:
    """Rewrite the whole table from the contacts; the number of counts kept."""
    from safar.core.models import Office

    from .models import ContactCount

    with transaction.atomic():
        ContactCount.objects.all().delete()
        recount_mscs(Office.objects.values_list("pk", flat=True))
        return ContactCount.objects.count()


# --- the signals ------------------------------------------------------------------------------


def _cells_of(contact_ids: Iterable[int]) -> set[Cell]:
    from .models import Contact

    return {
        (msc_id, month_of(at))
        for msc_id, at in Contact.objects.filter(pk__in=list(contact_ids)).values_list(
            "msc_id", "received_at"
        )
    }


COUNTED_FIELDS = {"msc", "msc_id", "received_at", "call_type"}


def _counted_fields_untouched(update_fields) -> bool:
    """A save of only other fields (opening a case from a contact sets its `case`)."""
    return update_fields is not None and not COUNTED_FIELDS & set(update_fields)


def _before_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    instance._counted_in = set()
    if instance.pk and not raw and not _counted_fields_untouched(update_fields):
        instance._counted_in = _cells_of([instance.pk])


def _after_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    # raw: loaddata (`safar check-contact-counts --rebuild` after it).
    if raw or _counted_fields_untouched(update_fields):
        return
    cells: set[Cell] = getattr(instance, "_counted_in", set())
    recount(cells | {(instance.msc_id, month_of(instance.received_at))})


def _after_delete(sender, instance, **kwargs) -> None:
    recount([(instance.msc_id, month_of(instance.received_at))])


_clearing: dict[int, set[Cell]] = defaultdict(set)


def _categories_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            recount([(instance.msc_id, month_of(instance.received_at))])
        return
    # From a category's side: the contacts are in pk_set, except for clear().
    if action == "pre_clear":
        _clearing[id(instance)] = _cells_of(
            sender.objects.filter(category_id=instance.pk).values_list("contact_id", flat=True)
        )
    elif action == "post_clear":
        recount(_clearing.pop(id(instance), set()))
    elif action in ("post_add", "post_remove") and pk_set:
        recount(_cells_of(pk_set))


def _category_cells(category, through) -> set[Cell]:
    return _cells_of(
        through.objects.filter(category_id=category.pk).values_list("contact_id", flat=True)
    )


def _before_category_delete(sender, instance, **kwargs) -> None:
    """A category's links go with it (without m2m signals): recount their contacts' months."""
    instance._counted_in = _category_cells(instance, sender.contacts.through)


def _before_category_save(sender, instance, raw=False, **kwargs) -> None:
    """A category moved to another group moves its contacts' counts with it."""
    instance._counted_in = set()
    if raw or instance._state.adding:
        return
    before = sender.objects.filter(pk=instance.pk).values_list("parent_id", flat=True).first()
    if before != instance.parent_id:
        instance._counted_in = _category_cells(instance, sender.contacts.through)


def _after_category_write(sender, instance, **kwargs) -> None:
    recount(getattr(instance, "_counted_in", set()))


def connect() -> None:
    from .models import Category, Contact

    uid = "safar.helpdesk.contact_counts"
    pre_save.connect(_before_save, sender=Contact, dispatch_uid=f"{uid}.pre_save")
    post_save.connect(_after_save, sender=Contact, dispatch_uid=f"{uid}.post_save")
    post_delete.connect(_after_delete, sender=Contact, dispatch_uid=f"{uid}.post_delete")
    m2m_changed.connect(
        _categories_changed, sender=Contact.categories.through, dispatch_uid=f"{uid}.m2m"
    )
    pre_delete.connect(_before_category_delete, sender=Category, dispatch_uid=f"{uid}.cat_pre")
    post_delete.connect(_after_category_write, sender=Category, dispatch_uid=f"{uid}.cat_post")
    pre_save.connect(_before_category_save, sender=Category, dispatch_uid=f"{uid}.cat_pre_save")
    post_save.connect(_after_category_write, sender=Category, dispatch_uid=f"{uid}.cat_post_save")
