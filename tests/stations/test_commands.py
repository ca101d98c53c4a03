"""`safar station …` and `safar intake stats`: register, list, revoke, count."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safar.capture.models import Upload
from safar.core.models import AuditEvent
from safar.stations.models import RefusedUpload, Station, StationToken
from safar.stations.services import Refusal, intake_file

from .conftest import png_bytes, sha


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def send(station, content, name="scan.png"):
    from io import BytesIO

    return intake_file(
        station=station, name=name, sha256=sha(content), body=BytesIO(content), length=len(content)
    )


@pytest.mark.django_db
def test_station_add_prints_the_token_as_the_last_line():
    output = run("station", "add", "KT-1", "--centre", "ICC-KT")
    token = output.strip().splitlines()[-1]
    station = Station.objects.get(name="KT-1")
    assert station.centre.code == "ICC-KT"
    assert Station.authenticate(token) == station
    assert AuditEvent.objects.filter(object_type="stations.station", action="create").count() == 1


@pytest.mark.django_db
def test_station_add_refuses_an_unknown_centre_and_a_taken_name(du_station):
    with pytest.raises(CommandError, match="no border centre"):
        run("station", "add", "X-1", "--centre", "DIR")
    with pytest.raises(CommandError, match="already exists"):
        run("station", "add", "DU-1", "--centre", "ICC-DU")
    assert Station.objects.count() == 1


def test_station_list_shows_stations_and_token_prefixes_never_tokens(du_station, su_station):
    output = run("station", "list")
    assert "DU-1" in output and "ICC-DU" in output and "SU-1" in output
    assert du_station[1][:8] in output and du_station[1] not in output


def test_station_revoke_by_name_revokes_its_tokens(du_station):
    station, token = du_station
    second = run("station", "token", "DU-1").strip().splitlines()[-1]
    assert Station.authenticate(second) == station
    output = run("station", "revoke", "DU-1")
    assert "Revoked 2 token(s)" in output
    assert Station.authenticate(token) is None and Station.authenticate(second) is None
    assert "revoked" in run("station", "list")


def test_station_revoke_by_prefix_revokes_only_that_token(du_station):
    station, token = du_station
    second = run("station", "token", "DU-1").strip().splitlines()[-1]
    run("station", "revoke", token[:8])
    assert Station.authenticate(token) is None
    assert Station.authenticate(second) == station
    assert StationToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_station_revoke_of_an_unknown_key_is_an_error(du_station):
    with pytest.raises(CommandError, match="no active token"):
        run("station", "revoke", "nobody")


def test_intake_stats_counts_files_per_station_pending_and_refused(du_station, su_station):
    du, su = du_station[0], su_station[0]
    for seed in range(3):
        send(du, png_bytes(seed))
    send(du, png_bytes(0))  # the same file again: still three
    send(su, png_bytes(10))
    Upload.objects.filter(sha256=sha(png_bytes(10))).update(status=Upload.Status.SPLIT)
    with pytest.raises(Refusal):
        send(su, b"not an image", name="x.png")
    stats = json.loads(run("intake", "stats", "--json"))
    assert stats["scans"] == 4
    assert stats["by_station"] == {"DU-1": 3, "SU-1": 1}
    assert stats["pending"] == 3
    assert stats["today"] == 4
    assert stats["refused"] == 1
    assert RefusedUpload.objects.get().station == su


@pytest.mark.django_db
def test_intake_stats_of_an_empty_intake_are_zero():
    stats = json.loads(run("intake", "stats", "--json"))
    assert (stats["scans"], stats["by_station"], stats["pending"]) == (0, {}, 0)
    assert "files received 0" in run("intake", "stats")
