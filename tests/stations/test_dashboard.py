"""The Information Directorate's stations page: who may see it and what it shows."""

from io import BytesIO

import pytest
from django.urls import reverse

from safar.capture.models import Scan, Upload
from safar.stations.services import Refusal, intake_file

from .conftest import png_bytes, sha


def send(station, content, name="scan.png"):
    try:
        intake_file(
            station=station,
            name=name,
            sha256=sha(content),
            body=BytesIO(content),
            length=len(content),
        )
    except Refusal:
        pass


@pytest.fixture
def activity(du_station, su_station):
    du = du_station[0]
    send(du, png_bytes(1))
    send(du, png_bytes(2))
    upload = Upload.objects.get(sha256=sha(png_bytes(2)))
    upload.status = Upload.Status.SPLIT
    upload.save()
    Scan.objects.create(upload=upload, page=1, status=Scan.Status.NEEDS_REVIEW)
    send(du, b"GIF89a", name="photo.gif")
    return du_station, su_station


def test_analyst_sees_every_centre_with_its_stations(client, analyst, activity):
    client.force_login(analyst)
    response = client.get(reverse("stations:dashboard"))
    assert response.status_code == 200
    centres = dict(response.context["centres"])
    by_name = {s.name: s for stations in centres.values() for s in stations}
    assert set(by_name) == {"DU-1", "SU-1"}
    du = by_name["DU-1"]
    assert (du.files_today, du.pending, du.refused["today"]) == (2, 1, 1)
    assert [n for _label, n in du.pages] == [1]
    assert by_name["SU-1"].files_today == 0
    content = response.content.decode()
    assert "photo.gif" in content
    assert response.context["totals"] == {"files_today": 2, "pending": 1, "refused_today": 1}


def test_administrator_may_open_the_dashboard(client, administrator, activity):
    client.force_login(administrator)
    assert client.get(reverse("stations:dashboard")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["operator_du", "outsider"])
def test_operators_and_users_without_a_role_may_not(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("stations:dashboard")).status_code == 403


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("stations:dashboard"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_dashboard_speaks_the_chosen_language(client, analyst, activity):
    client.force_login(analyst)
    client.cookies["django_language"] = "ru"
    response = client.get(reverse("stations:dashboard"), headers={"Accept-Language": "ru"})
    assert "Пограничные станции" in response.content.decode()


def test_the_navigation_links_analysts_to_the_dashboard(client, analyst):
    client.force_login(analyst)
    links = {link["key"]: link for link in client.get("/").context["safar_nav"]}
    assert links["stations"]["url"] == reverse("stations:dashboard")
