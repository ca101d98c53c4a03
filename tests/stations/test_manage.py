"""Administrators manage stations on the web: the list with last contact, registering a station
(its token shown once) and revoking its tokens, each audited with the administrator's name."""

import datetime

import pytest
from django.urls import reverse

from safar.core.models import AuditEvent
from safar.stations.models import Station, StationToken

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.UTC)


def test_the_list_shows_each_station_with_its_centre_last_contact_and_token_prefixes(
    client, administrator, du_station, time_machine
):
    time_machine.move_to(NOW, tick=False)
    station, raw = du_station
    station.touch()
    client.force_login(administrator)
    page = client.get(reverse("stations:manage")).content.decode()
    assert "DU-1" in page
    assert station.centre.name in page
    assert 'datetime="2026-11-20T14:30:00+05:00"' in page  # Dushanbe time
    assert f"{raw[:8]}…" in page
    assert raw not in page  # the full token never appears again


def test_registering_a_station_shows_its_token_once_and_the_token_opens_intake(
    client, administrator, offices
):
    client.force_login(administrator)
    response = client.post(reverse("stations:add"), {"name": " DYU-2 ", "centre": centre_pk()})
    assert response.status_code == 200
    raw = response.context["token"]
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    station = Station.objects.get(name="DYU-2")
    assert Station.authenticate(raw) == station
    event = AuditEvent.objects.get(object_type="stations.station", action="create")
    assert event.user == administrator
    assert raw not in str(event.changes)
    assert raw not in client.get(reverse("stations:manage")).content.decode()


def test_a_station_name_already_taken_is_refused_with_the_form_again(
    client, administrator, du_station
):
    client.force_login(administrator)
    response = client.post(reverse("stations:add"), {"name": "du-1", "centre": centre_pk()})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert "token" not in response.context
    assert Station.objects.count() == 1


def test_a_missing_centre_is_refused_with_the_typed_name_kept(client, administrator, offices):
    client.force_login(administrator)
    response = client.post(reverse("stations:add"), {"name": "DYU-3"})
    assert response.context["form"].errors["centre"]
    assert 'value="DYU-3"' in response.content.decode()
    assert not Station.objects.exists()


def test_revoking_asks_first_then_revokes_every_active_token_of_the_station(
    client, administrator, du_station, su_station
):
    station, raw = du_station
    client.force_login(administrator)
    url = reverse("stations:revoke", args=[station.pk])
    assert client.get(url).status_code == 200
    assert Station.authenticate(raw) == station  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("stations:manage")
    assert Station.authenticate(raw) is None
    assert Station.authenticate(su_station[1]) == su_station[0]
    assert not StationToken.objects.filter(station=station, revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(object_type="stations.station", changes__has_key="token revoked")
    assert event.user == administrator


def test_an_analyst_may_see_the_dashboard_but_not_manage_stations(client, analyst, du_station):
    client.force_login(analyst)
    assert client.get(reverse("stations:dashboard")).status_code == 200
    revoke = reverse("stations:revoke", args=[du_station[0].pk])
    assert client.post(revoke).status_code == 403
    assert (
        client.post(reverse("stations:add"), {"name": "X", "centre": centre_pk()}).status_code
        == 403
    )
    assert Station.authenticate(du_station[1]) is not None


def centre_pk() -> int:
    from safar.core.models import Office

    return Office.objects.get(code="ICC-DU").pk


def test_revoking_on_the_web_never_touches_another_stations_token_whose_prefix_is_the_name(
    client, administrator, du_station
):
    from safar.stations.services import register_station, revoke_station_tokens

    other, other_raw = du_station
    # A station whose name is the start of DU-1's token, and whose own token is already revoked.
    look_alike, _raw = register_station(name=other_raw[:6], centre_code="ICC-SU")
    revoke_station_tokens(station=look_alike)
    client.force_login(administrator)
    client.post(reverse("stations:revoke", args=[look_alike.pk]))
    assert Station.authenticate(other_raw) == other
