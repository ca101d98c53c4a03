"""The operators' review queue. The world: operators at the Dushanbe and Sughd centres, an
analyst; scans of the Dushanbe centre in the shape the reader stores them (the reader itself is
exercised in test_pipeline.py)."""

import re

import pytest
from django.urls import reverse

from safar.capture import services
from safar.capture.models import Scan
from safar.core.models import AuditEvent
from safar.crossings.models import Cell, Crossing

from .world import VALUES, make_scan

pytestmark = pytest.mark.django_db


def form_data(**changes) -> dict:
    data = {k: "" if v is None else v for k, v in VALUES.items()}
    data.update(changes)
    return data


def capture_cells(outcome: str) -> int:
    cell = Cell.objects.filter(cube="capture", grain="D", key2=outcome).first()
    return cell.count if cell else 0


@pytest.fixture
def waiting(centre_du):
    return make_scan(centre_du)


def test_operator_sees_the_doubtful_field_prefilled_with_its_crop(client, operator_du, waiting):
    client.force_login(operator_du)
    page = client.get(reverse("capture:review", args=[waiting.pk])).content.decode()
    assert 'value="РАҲИМОВ"' in page
    assert reverse("capture:crop", args=[waiting.pk, "surname"]) in page
    assert reverse("capture:page", args=[waiting.pk]) in page
    # The doubtful field comes first in the Tab order and is focused; a confident one after it.
    surname_input = page.split('name="surname"')[1].split(">")[0]
    assert "autofocus" in surname_input and "doubtful" in surname_input
    assert 'tabindex="1"' in surname_input
    assert 'tabindex="2"' in page.split('name="card_number"')[1].split(">")[0]
    assert AuditEvent.objects.filter(
        action="view", object_type="capture.scan", object_id=str(waiting.pk), user=operator_du
    ).exists()


def test_confirming_with_a_correction_saves_the_crossing_and_counts_corrected(
    client, operator_du, waiting
):
    client.force_login(operator_du)
    response = client.post(
        reverse("capture:review", args=[waiting.pk]), form_data(surname="РАҲИМЗОДА", accept="1")
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Scan.Status.SAVED and not waiting.auto_accepted
    assert waiting.corrected_fields == ["surname"]
    assert waiting.reviewed_by == operator_du
    crossing = Crossing.objects.get(card_number="AA0000123")
    assert crossing.surname == "РАҲИМЗОДА" and crossing.source == Crossing.Source.SCAN
    assert crossing.created_by == operator_du and waiting.crossing == crossing
    assert capture_cells("corrected") == 1 and capture_cells("confirmed") == 0
    # The audit names the scan the crossing came from.
    assert AuditEvent.objects.filter(
        object_type="capture.scan", object_id=str(waiting.pk), changes__crossing=crossing.pk
    ).exists()


def test_confirming_unchanged_values_counts_confirmed_not_corrected(client, operator_du, waiting):
    client.force_login(operator_du)
    client.post(reverse("capture:review", args=[waiting.pk]), form_data(accept="1"))
    waiting.refresh_from_db()
    assert waiting.status == Scan.Status.SAVED and waiting.corrected_fields == []
    assert capture_cells("confirmed") == 1 and capture_cells("corrected") == 0


def test_after_saving_the_next_waiting_card_opens(client, operator_du, centre_du, waiting):
    later = make_scan(centre_du, values={**VALUES, "card_number": "AA0000124"})
    client.force_login(operator_du)
    response = client.post(
        reverse("capture:review", args=[waiting.pk]), form_data(accept="1"), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("capture:review", args=[later.pk])


def test_an_invalid_value_is_refused_next_to_its_field_and_nothing_is_saved(
    client, operator_du, waiting
):
    client.force_login(operator_du)
    response = client.post(
        reverse("capture:review", args=[waiting.pk]), form_data(birth_date="2030-01-01", accept="1")
    )
    assert response.status_code == 200
    assert "birth_date" in response.context["form"].errors
    waiting.refresh_from_db()
    assert waiting.status == Scan.Status.NEEDS_REVIEW
    assert not Crossing.objects.exists()


def test_rejecting_needs_a_reason_and_keeps_the_scan(client, operator_du, waiting):
    client.force_login(operator_du)
    response = client.post(
        reverse("capture:review", args=[waiting.pk]), {"reject": "1", "reason": "  "}
    )
    assert response.status_code == 200 and response.context["reject_form"].errors
    client.post(
        reverse("capture:review", args=[waiting.pk]),
        {"reject": "1", "reason": "Not a migration card"},
    )
    waiting.refresh_from_db()
    assert waiting.status == Scan.Status.REJECTED
    assert waiting.reject_reason == "Not a migration card"
    assert capture_cells("rejected") == 1
    assert not Crossing.objects.exists()


def test_a_card_that_could_not_be_aligned_is_keyed_in_full_from_the_image(
    client, operator_du, centre_du
):
    scan = make_scan(
        centre_du, values=None, doubtful=(), aligned=False, reason=Scan.ReviewReason.NOT_ALIGNED
    )
    client.force_login(operator_du)
    form = client.get(reverse("capture:review", args=[scan.pk])).context["form"]
    assert form.doubtful == list(form.fields)  # every field in the Tab order, all empty
    assert not any(form[name].value() for name in form.fields)
    client.post(reverse("capture:review", args=[scan.pk]), form_data(accept="1"))
    scan.refresh_from_db()
    assert scan.status == Scan.Status.SAVED
    assert set(scan.corrected_fields) >= {"card_number", "surname", "passport_number"}


def test_a_conflicting_card_number_shows_the_registry_error_at_once(client, operator_du, centre_du):
    from safar.crossings.services import create_crossing

    create_crossing(user=operator_du, data={**services.typed_values(VALUES), "surname": "OTHER"})
    scan = make_scan(centre_du, doubtful=(), reason=Scan.ReviewReason.CONFLICT)
    client.force_login(operator_du)
    response = client.get(reverse("capture:review", args=[scan.pk]))
    assert "card_number" in response.context["form"].errors


def test_a_scan_handled_meanwhile_is_not_saved_twice(client, operator_du, waiting):
    services.scan_reject(scan=waiting, operator=operator_du, reason="duplicate")
    client.force_login(operator_du)
    response = client.post(reverse("capture:review", args=[waiting.pk]), form_data(accept="1"))
    assert response.status_code == 302
    assert not Crossing.objects.exists()


# -- permissions ----------------------------------------------------------------------------


def test_operator_cannot_see_another_centres_scan_or_its_images(client, operator_su, waiting):
    client.force_login(operator_su)
    for url in (
        reverse("capture:review", args=[waiting.pk]),
        reverse("capture:page", args=[waiting.pk]),
        reverse("capture:crop", args=[waiting.pk, "surname"]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("capture:review", args=[waiting.pk]), form_data(accept="1")).status_code
        == 404
    )
    waiting.refresh_from_db()
    assert waiting.status == Scan.Status.NEEDS_REVIEW


def test_operator_queue_holds_only_their_centres_scans(client, operator_su, waiting):
    client.force_login(operator_su)
    response = client.get(reverse("capture:next"))
    assert response.status_code == 302 and response.url == reverse("capture:overview")
    overview = client.get(reverse("capture:overview"))
    assert overview.context["waiting"] == 0


def test_operator_gets_the_page_image_and_crop_of_their_own_centre(client, operator_du, waiting):
    client.force_login(operator_du)
    page = client.get(reverse("capture:page", args=[waiting.pk]))
    assert page.status_code == 200 and page["Content-Type"] == "image/png"
    assert "private" in page["Cache-Control"]
    crop = client.get(reverse("capture:crop", args=[waiting.pk, "surname"]))
    assert crop.status_code == 200 and b"".join(crop.streaming_content).startswith(b"\x89PNG")
    assert client.get(reverse("capture:crop", args=[waiting.pk, "given_names"])).status_code == 404


@pytest.mark.parametrize("who", ["analyst", "outsider"])
def test_analysts_and_users_without_a_role_cannot_open_the_capture_pages(
    client, request, who, waiting
):
    client.force_login(request.getfixturevalue(who))
    for url in (
        reverse("capture:overview"),
        reverse("capture:review", args=[waiting.pk]),
        reverse("capture:page", args=[waiting.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_administrator_reviews_any_centre(client, administrator, waiting):
    client.force_login(administrator)
    assert client.get(reverse("capture:review", args=[waiting.pk])).status_code == 200


# -- confirmed characters for retraining ----------------------------------------------------


def with_box_crops(scan: Scan, field: str, text: str) -> Scan:
    """Give a doubtful field of the scan one stored crop per box, as the reader leaves them."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from .conftest import page_image, png_of

    boxes = [
        default_storage.save(
            f"crops/{scan.pk}/{field}-{i:02d}.png", ContentFile(png_of(page_image(ch, (34, 43))))
        )
        for i, ch in enumerate(text.ljust(12))
    ]
    scan.reading["fields"][field].update({"boxes": boxes, "value": text.strip()})
    scan.save()
    return scan


def test_confirmed_characters_are_kept_for_retraining_in_the_readers_format(
    client, operator_du, waiting, settings, django_capture_on_commit_callbacks
):
    from pathlib import Path

    with_box_crops(waiting, "surname", "РАҲИМОВ")
    client.force_login(operator_du)
    with django_capture_on_commit_callbacks(execute=True):  # files are written after commit
        response = client.post(
            reverse("capture:review", args=[waiting.pk]), form_data(surname="РАҲИМОБ", accept="1")
        )
    assert response.status_code == 302
    folder = Path(settings.DATA_DIR) / "training" / "characters"
    kept = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.png"))
    assert len(kept) == 7
    assert {p.split("/")[0] for p in kept} == set("РАҲИМОБ")
    assert all(p.split("/")[1].startswith(f"scan{waiting.pk}-surname-") for p in kept)


def test_a_value_rewritten_wholesale_does_not_label_the_boxes(
    client, operator_du, waiting, settings, django_capture_on_commit_callbacks
):
    from pathlib import Path

    with_box_crops(waiting, "surname", "РАҲИМОВ")
    client.force_login(operator_du)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("capture:review", args=[waiting.pk]), form_data(surname="КАРИМЗОДА", accept="1")
        )
    waiting.refresh_from_db()
    assert waiting.status == Scan.Status.SAVED
    assert not list((Path(settings.DATA_DIR) / "training").rglob("*.png"))


def test_a_confident_field_with_an_error_joins_the_tab_order(client, operator_du, centre_du):
    # Read with confidence, but Lyaur (LBD) is a border point of the Sughd centre.
    scan = make_scan(centre_du, values={**VALUES, "border_point": "LBD"})
    client.force_login(operator_du)
    form = client.get(reverse("capture:review", args=[scan.pk])).context["form"]
    assert "border_point" in form.errors
    assert form.doubtful == ["border_point", "surname"]
    assert form.fields["border_point"].widget.attrs["tabindex"] == "1"  # with the doubtful
    assert form.fields["border_point"].widget.attrs.get("autofocus")


# -- handing a card over to its own centre ----------------------------------------------------


@pytest.fixture
def other_centres_card(centre_du):
    """A good card read at Dushanbe whose border point is Khujand airport (Sughd's)."""
    scan = make_scan(
        centre_du, values={**VALUES, "border_point": "LBD"}, reason=Scan.ReviewReason.REFUSED
    )
    scan.problem = "refused: border_point"
    scan.save(update_fields=["problem"])
    return scan


def hand_over_data(point="LBD", reason="The card is of Khujand airport"):
    return {"hand_over": "1", "hand_over-border_point": point, "hand_over-reason": reason}


def test_a_good_card_of_another_centres_border_point_is_handed_over_to_that_centres_queue(
    client, operator_du, operator_su, other_centres_card, centre_du, centre_su
):
    scan = other_centres_card
    client.force_login(operator_du)
    page = client.get(reverse("capture:review", args=[scan.pk])).content.decode()
    assert '<details class="card hand-over" open>' in page  # offered at once
    response = client.post(reverse("capture:review", args=[scan.pk]), hand_over_data())
    assert response.status_code == 302
    scan.refresh_from_db()
    assert scan.status == Scan.Status.NEEDS_REVIEW
    assert (scan.handed_to, scan.handed_from, scan.handed_over_by) == (
        centre_su,
        centre_du,
        operator_du,
    )
    assert scan.handover_reason == "The card is of Khujand airport"
    event = AuditEvent.objects.get(
        object_type="capture.scan", object_id=str(scan.pk), changes__has_key="centre"
    )
    assert event.user == operator_du
    assert event.changes == {
        "centre": [centre_du.code, centre_su.code],
        "reason": "The card is of Khujand airport",
    }
    # It left Dushanbe's queue ...
    assert client.get(reverse("capture:review", args=[scan.pk])).status_code == 404
    # ... and waits in Sughd's, saying where it came from; Sughd saves it.
    client.force_login(operator_su)
    response = client.get(reverse("capture:next"))
    assert response.url == reverse("capture:review", args=[scan.pk])
    page = client.get(response.url).content.decode()
    handed = page.split('class="reason handed-over">')[1].split("</span>")[0]
    assert str(centre_du) in handed and "The card is of Khujand airport" in handed
    client.post(
        reverse("capture:review", args=[scan.pk]), form_data(border_point="LBD", accept="1")
    )
    scan.refresh_from_db()
    assert scan.status == Scan.Status.SAVED
    assert Crossing.objects.get(card_number="AA0000123").border_point_id == "LBD"


def test_a_hand_over_needs_a_reason_and_another_centres_border_point(
    client, operator_du, other_centres_card
):
    scan = other_centres_card
    client.force_login(operator_du)
    url = reverse("capture:review", args=[scan.pk])
    blank = client.post(url, hand_over_data(reason="  "))
    assert blank.status_code == 200 and "reason" in blank.context["hand_over_form"].errors
    own = client.post(url, hand_over_data(point="DYU"))
    assert own.status_code == 200 and "border_point" in own.context["hand_over_form"].errors
    scan.refresh_from_db()
    assert scan.handed_to is None and scan.status == Scan.Status.NEEDS_REVIEW


def test_a_scan_no_longer_waiting_is_not_handed_over(operator_du, other_centres_card):
    services.scan_reject(scan=other_centres_card, operator=operator_du, reason="Blank page")
    with pytest.raises(services.ScanNotWaiting):
        services.scan_hand_over(
            scan=other_centres_card, operator=operator_du, border_point="LBD", reason="Khujand"
        )


def test_the_database_refuses_a_hand_over_without_a_reason(other_centres_card, centre_su):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Scan.objects.filter(pk=other_centres_card.pk).update(handed_to=centre_su)


def test_the_passport_page_of_a_handed_over_card_goes_along(
    operator_du, other_centres_card, centre_du, centre_su
):
    passport = make_scan(centre_du, values={**VALUES, "card_number": ""})
    Scan.objects.filter(pk=passport.pk).update(
        card_scan=other_centres_card, status=Scan.Status.SAVED
    )
    services.scan_hand_over(
        scan=other_centres_card, operator=operator_du, border_point="LBD", reason="Khujand's card"
    )
    passport.refresh_from_db()
    assert (passport.handed_to, passport.handed_from) == (centre_su, centre_du)
    assert Scan.objects.visible_to(operator_du).filter(pk=passport.pk).count() == 0


def test_confident_fields_stay_reachable_by_tab_after_the_doubtful_ones(
    client, operator_du, waiting
):
    client.force_login(operator_du)
    page = client.get(reverse("capture:review", args=[waiting.pk])).content.decode()
    tab_order = {
        name: re.search(r'tabindex="(-?\d+)"', page.split(f'name="{name}"')[1].split(">")[0])
        for name in ("surname", "card_number", "given_names", "accept")
    }
    assert {name: m and m.group(1) for name, m in tab_order.items()} == {
        "surname": "1",  # doubtful: first
        "card_number": "2",  # confident: after the doubtful, never out of reach
        "given_names": "2",
        "accept": "3",  # then Accept, before the rest of the page
    }
