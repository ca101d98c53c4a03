"""The intake endpoint as a station sees it: tokens, idempotent uploads, refusals, clear errors."""

from urllib.parse import quote

import pytest

from safar.capture.models import Batch, Upload
from safar.core.models import ApiToken
from safar.stations.models import RefusedUpload, Station

from .conftest import png_bytes, sha


def post_file(client, token, content, name="scan-0001.png", digest=None, scheme="Station"):
    # The test client leaves out Content-Length for an empty body; HTTP clients send 0.
    extra = {} if content else {"CONTENT_LENGTH": "0"}
    return client.post(
        "/api/stations/upload",
        data=content,
        **extra,
        content_type="application/octet-stream",
        headers={
            "Authorization": f"{scheme} {token}",
            "X-Safar-Filename": quote(name),
            "X-Safar-SHA256": digest if digest is not None else sha(content),
        },
    )


def test_a_new_file_is_stored_in_the_station_batch_of_the_day(client, du_station):
    station, token = du_station
    response = post_file(client, token, png_bytes(1))
    assert response.status_code == 201
    assert response.json()["status"] == "stored"
    upload = Upload.objects.get()
    assert upload.sha256 == sha(png_bytes(1))
    assert upload.status == Upload.Status.RECEIVED
    assert upload.batch.station == station and upload.batch.centre.code == "ICC-DU"
    assert upload.file.read() == png_bytes(1)


def test_the_same_file_sent_twice_is_stored_once(client, du_station):
    _station, token = du_station
    first = post_file(client, token, png_bytes(2), name="a.png")
    second = post_file(client, token, png_bytes(2), name="another-name.png")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == {
        "status": "already_held",
        "upload": first.json()["upload"],
        "sha256": sha(png_bytes(2)),
    }
    assert Upload.objects.count() == 1
    assert Batch.objects.count() == 1


def test_files_of_two_stations_go_to_two_batches(client, du_station, su_station):
    post_file(client, du_station[1], png_bytes(3))
    post_file(client, su_station[1], png_bytes(4))
    assert Batch.objects.count() == 2
    assert set(Batch.objects.values_list("station__name", flat=True)) == {"DU-1", "SU-1"}


def test_an_upload_records_the_station_last_contact(client, du_station):
    station, token = du_station
    assert station.last_contact_at is None
    post_file(client, token, png_bytes(5))
    station.refresh_from_db()
    assert station.last_contact_at is not None


@pytest.mark.parametrize(
    ("content", "name", "code", "status"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "scan.png", "corrupt", 422),
        (png_bytes(6)[:-30], "cut.png", "corrupt", 422),
        (b"%PDF-1.4\nnot really a pdf", "scan.pdf", "corrupt", 422),
        (b"plain text", "notes.txt", "wrong_type", 415),
        (png_bytes(7), "scan.exe", "wrong_type", 415),
        (b"", "empty.png", "empty", 422),
    ],
)
def test_a_file_that_cannot_be_a_scan_is_refused_with_a_reason(
    client, du_station, content, name, code, status
):
    _station, token = du_station
    response = post_file(client, token, content, name=name)
    assert response.status_code == status
    body = response.json()
    assert body["refused"] is True and body["code"] == code and body["error"]
    assert not Upload.objects.exists()
    refusal = RefusedUpload.objects.get()
    assert (refusal.code, refusal.original_name, refusal.size) == (code, name, len(content))


def test_a_file_over_the_size_limit_is_refused(client, du_station, settings, monkeypatch):
    monkeypatch.setattr("safar.stations.services.MAX_UPLOAD_BYTES", 100)
    response = post_file(client, du_station[1], png_bytes(8, side=40))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert RefusedUpload.objects.get().code == "too_large"


def test_a_file_whose_hash_does_not_match_is_refused_as_damaged(client, du_station):
    response = post_file(client, du_station[1], png_bytes(9), digest=sha(b"something else"))
    assert response.status_code == 422
    assert response.json()["code"] == "hash_mismatch"
    assert not Upload.objects.exists()


def test_a_request_without_name_or_hash_names_the_missing_fields(client, du_station):
    response = client.post(
        "/api/stations/upload",
        data=png_bytes(10),
        content_type="application/octet-stream",
        headers={"Authorization": f"Station {du_station[1]}", "X-Safar-SHA256": "not-a-hash"},
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"X-Safar-Filename", "X-Safar-SHA256"}
    assert not RefusedUpload.objects.exists()


def test_a_file_name_with_a_folder_is_a_bad_request(client, du_station):
    response = post_file(client, du_station[1], png_bytes(11), name="../../etc/passwd.png")
    assert response.status_code == 400
    assert "X-Safar-Filename" in response.json()["error"]["fields"]


def test_a_non_ascii_file_name_arrives_intact(client, du_station):
    post_file(client, du_station[1], png_bytes(12), name="скан 01.png")
    assert Upload.objects.get().original_name == "скан 01.png"


@pytest.mark.parametrize("header", ["", "Station ", "Station wrong-token", "Bearer x"])
def test_an_upload_without_a_valid_station_token_is_refused(client, du_station, header):
    response = client.post(
        "/api/stations/upload",
        data=png_bytes(13),
        content_type="application/octet-stream",
        headers={
            "Authorization": header,
            "X-Safar-Filename": "a.png",
            "X-Safar-SHA256": sha(png_bytes(13)),
        },
    )
    assert response.status_code == 401
    assert not Upload.objects.exists()


def test_a_revoked_station_token_no_longer_uploads(client, du_station):
    station, token = du_station
    station.tokens.update(revoked_at="2026-11-01T00:00:00Z")
    assert post_file(client, token, png_bytes(14)).status_code == 401


def test_a_station_token_is_not_an_api_token(client, du_station):
    _station, token = du_station
    # The API's TokenAuth answers the Token scheme, and knows nothing of station tokens.
    response = client.get("/api/reports", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 401
    assert post_file(client, token, png_bytes(15), scheme="Token").status_code == 401
    assert not Upload.objects.exists()


def test_an_api_token_cannot_upload(client, du_station, administrator):
    _token, raw = ApiToken.issue(administrator)
    assert post_file(client, raw, png_bytes(16)).status_code == 401
    assert not Upload.objects.exists()


def test_tokens_are_stored_only_as_hashes(du_station):
    station, token = du_station
    stored = station.tokens.get()
    assert stored.key_hash == sha(token.encode()) and token not in stored.key_hash
    assert Station.authenticate(token) == station


def test_hello_records_the_reported_queue_and_returns_the_rules(client, du_station):
    station, token = du_station
    response = client.post(
        "/api/stations/hello",
        data={"queued": 7},
        content_type="application/json",
        headers={"Authorization": f"Station {token}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["station"] == "DU-1" and body["centre"] == "ICC-DU"
    assert ".png" in body["extensions"] and body["max_bytes"] > 0
    station.refresh_from_db()
    assert station.agent_queue == 7 and station.last_contact_at is not None


def test_hello_with_a_bad_report_names_the_field(client, du_station):
    response = client.post(
        "/api/stations/hello",
        data={"queued": -3},
        content_type="application/json",
        headers={"Authorization": f"Station {du_station[1]}"},
    )
    assert response.status_code == 400
    assert "queued" in response.json()["error"]["fields"]


def test_held_tells_whether_a_file_is_already_stored(client, du_station):
    _station, token = du_station
    auth = {"Authorization": f"Station {token}"}
    url = f"/api/stations/held/{sha(png_bytes(17))}"
    assert client.get(url, headers=auth).json()["held"] is False
    post_file(client, token, png_bytes(17))
    assert client.get(url, headers=auth).json()["held"] is True
    assert client.get(url).status_code == 401


def test_upload_needs_post(client, du_station):
    response = client.get(
        "/api/stations/upload", headers={"Authorization": f"Station {du_station[1]}"}
    )
    assert response.status_code == 405
