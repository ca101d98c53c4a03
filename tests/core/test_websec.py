"""The web under attack: the client's address behind a trusted proxy, rate limits and login
throttling shared by every process and keyed on that address, strict dates, security headers."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from safar.core.client_address import client_address, parse_networks
from safar.core.dates import parse_iso_date
from safar.reports.charts import Chart, render_svg
from tests.conftest import make_user

PASSWORD = "pw-Safar-2026"
SAFAR = [sys.executable, "-m", "safar.cli"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def behind_nginx(settings):
    """The documented set-up: nginx on the same machine, the only trusted proxy."""
    settings.SAFAR_TRUSTED_PROXIES = ["127.0.0.1", "10.1.0.0/16"]


def request_from(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


# -- the client's address -------------------------------------------------------------------------


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.SAFAR_TRUSTED_PROXIES = []
    assert client_address(request_from("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_from_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(behind_nginx):
    # The client wrote "1.2.3.4" itself; nginx appended the address it saw.
    request = request_from("127.0.0.1", "1.2.3.4, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"
    # Through two trusted proxies (a balancer in 10.1/16, then nginx).
    assert client_address(request_from("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.2.3")) == (
        "203.0.113.9"
    )


def test_an_untrusted_peer_cannot_choose_its_address(behind_nginx):
    assert client_address(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_garbage_or_no_header_from_the_proxy_leaves_the_proxys_address(behind_nginx):
    assert client_address(request_from("127.0.0.1", "not-an-ip")) == "127.0.0.1"
    assert client_address(request_from("127.0.0.1")) == "127.0.0.1"
    assert client_address(request_from("127.0.0.1", "10.1.0.5")) == "127.0.0.1"


def test_a_malformed_trusted_proxy_is_named():
    with pytest.raises(ImproperlyConfigured, match="'nginx'"):
        parse_networks(["127.0.0.1", "nginx"])


def test_a_malformed_trusted_proxy_stops_the_settings_with_its_name(tmp_path):
    result = subprocess.run(
        [*SAFAR, "check"],
        capture_output=True,
        text=True,
        env={**os.environ, "SAFAR_DATA_DIR": str(tmp_path), "SAFAR_TRUSTED_PROXIES": "10.0.0.300"},
        timeout=120,
    )
    assert result.returncode != 0 and "SAFAR_TRUSTED_PROXIES" in result.stderr


# -- the ban-check rate limit -----------------------------------------------------------------------


def post_check(client, **extra):
    return client.post(
        reverse("api:bancheck"),
        json.dumps({"as_of": "2026-11-22"}),
        content_type="application/json",
        **extra,
    )


@pytest.mark.django_db
def test_the_ban_check_limit_counts_each_forwarded_client_behind_nginx(client, behind_nginx):
    nginx = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(30):
        assert post_check(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **nginx).status_code == 200
    assert post_check(client, HTTP_X_FORWARDED_FOR="203.0.113.5", **nginx).status_code == 429
    # Another client behind the same nginx is not held back by the first one.
    assert post_check(client, HTTP_X_FORWARDED_FOR="203.0.113.6", **nginx).status_code == 200


@pytest.mark.django_db
def test_a_client_that_forges_forwarded_addresses_is_still_limited(client, behind_nginx):
    for n in range(30):
        forged = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}", "REMOTE_ADDR": "198.51.100.7"}
        assert post_check(client, **forged).status_code == 200
    forged = {"HTTP_X_FORWARDED_FOR": "203.0.113.99", "REMOTE_ADDR": "198.51.100.7"}
    assert post_check(client, **forged).status_code == 429


def hits_in_a_process(env: dict, key: str, count: int) -> int:
    """`count` hits on `key` in a separate `safar` process; how many were over the limit."""
    code = (
        "from safar.core.ratelimit import hit; "
        f"print(sum(hit({key!r}, limit=30, window=60) for _ in range({count})))"
    )
    result = subprocess.run(
        [*SAFAR, "shell", "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=True,
    )
    return int(result.stdout.strip().splitlines()[-1])


def test_two_processes_share_one_count_in_the_database_cache(tmp_path):
    env = {"SAFAR_DATA_DIR": str(tmp_path), "SAFAR_REDIS_URL": "", "DATABASE_URL": ""}
    subprocess.run([*SAFAR, "createcachetable"], env={**os.environ, **env}, check=True)
    assert hits_in_a_process(env, "ratelimit:test:192.0.2.1", 20) == 0
    # The second process sees the first one's 20 hits: hits 31 … 40 are over the limit.
    assert hits_in_a_process(env, "ratelimit:test:192.0.2.1", 20) == 10


@pytest.mark.django_db
def test_concurrent_processes_lose_no_hit_in_the_database_cache(tmp_path):
    """Four processes count 300 hits each on one key at the same moment: 1,200 in the table.
    (On PostgreSQL the row is locked; on SQLite the transaction holds the write lock.)"""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "postgresql":
        database_url = (
            f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        database_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        subprocess.run(
            [*SAFAR, "createcachetable"],
            env={**os.environ, "SAFAR_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url},
            check=True,
        )
    key = f"ratelimit:test:{uuid.uuid4()}"
    # A file barrier rather than a clock: the suite may run with its clock moved (conftest).
    code = (
        "import pathlib, time, uuid; from safar.core.ratelimit import hit; "
        f"folder = pathlib.Path({str(tmp_path)!r}); "
        "(folder / f'ready-{uuid.uuid4()}').touch(); "
        "[time.sleep(0.05) for _ in iter(lambda: (folder / 'go').exists(), True)]; "
        f"[hit({key!r}, limit=100_000, window=300) for _ in range(300)]"
    )
    env = {**os.environ, "SAFAR_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url}
    env.pop("SAFAR_REDIS_URL", None)
    workers = [
        subprocess.Popen([*SAFAR, "shell", "-c", code], env=env, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    for _ in range(1200):
        if len(list(tmp_path.glob("ready-*"))) == 4:
            break
        time.sleep(0.1)
    (tmp_path / "go").touch()
    assert [worker.wait(timeout=300) for worker in workers] == [0, 0, 0, 0]
    check = f"from django.core.cache import cache; print(cache.get({key!r}))"
    out = subprocess.run(
        [*SAFAR, "shell", "-c", check], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "1200"


def redis_is_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_is_running(), reason="no Redis server at 127.0.0.1:6379")
def test_two_processes_share_one_count_in_redis(tmp_path):
    env = {"SAFAR_DATA_DIR": str(tmp_path), "SAFAR_REDIS_URL": "redis://127.0.0.1:6379/15"}
    key = f"ratelimit:test:{uuid.uuid4()}"
    assert hits_in_a_process(env, key, 20) == 0
    assert hits_in_a_process(env, key, 20) == 10


def test_the_cache_is_shared_by_every_process_and_never_local_memory(settings):
    assert settings.CACHES["default"]["BACKEND"] in {
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    }


# -- login throttling ---------------------------------------------------------------------------------


def login(client, address: str, password: str):
    return client.post(
        reverse("login"),
        {"username": "clerk", "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.mark.django_db
def test_five_wrong_passwords_from_one_client_do_not_lock_the_user_out_elsewhere(
    client, behind_nginx
):
    clerk = make_user("clerk", "ICC-DU", "operator", password=PASSWORD)
    for _ in range(5):
        login(client, "203.0.113.66", "wrong")
    locked = login(client, "203.0.113.66", PASSWORD)
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    # The clerk at another address, through the same nginx, still logs in.
    response = login(client, "198.51.100.20", PASSWORD)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(clerk.pk)


@pytest.mark.django_db
def test_failed_logins_are_counted_in_the_database_for_every_process(client, behind_nginx):
    from axes.models import AccessAttempt

    make_user("clerk", "ICC-DU", "operator", password=PASSWORD)
    login(client, "203.0.113.66", "wrong")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        "clerk",
        "203.0.113.66",
        1,
    )


# -- dates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2026-W01-1", "2026W011", "20261201", "2026-335", "2026-1-1", "٢٠٢٦-١٢-٠١", " 2026-12-01"],
)
def test_only_yyyy_mm_dd_is_a_date(text):
    with pytest.raises(ValueError):
        parse_iso_date(text)


def test_a_real_iso_date_is_read_and_an_impossible_one_refused():
    assert parse_iso_date("2024-02-29") == date(2024, 2, 29)
    with pytest.raises(ValueError):
        parse_iso_date("2023-02-29")


@pytest.mark.django_db
def test_the_ban_check_api_refuses_a_week_date(client):
    response = client.post(
        reverse("api:bancheck"),
        json.dumps({"as_of": "2026-W01-1"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert [p["field"] for p in response.json()["problems"]] == ["as_of"]


# -- headers ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_has_a_content_security_policy_without_inline_code(client, analyst):
    for response in (client.get(reverse("login")), client.get(reverse("guidance:index"))):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_pages_for_a_signed_in_user_are_never_stored(client, analyst):
    client.force_login(analyst)
    for name in ("home", "crossings:search", "reports:index"):
        assert "no-store" in client.get(reverse(name))["Cache-Control"], name


@pytest.mark.django_db
def test_a_public_guide_page_may_be_cached_but_a_calculation_may_not(client):
    assert "no-store" not in client.get(reverse("guidance:index")).get("Cache-Control", "")
    assert "no-store" in client.post(reverse("guidance:calculator"), {})["Cache-Control"]


@pytest.mark.django_db
def test_hsts_is_sent_over_https_behind_the_proxy_when_cookies_are_secure(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get(reverse("login"))


def test_secure_cookies_turn_on_hsts_and_the_proxy_header_setting_is_read(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE)"
    )
    env = {
        **os.environ,
        "SAFAR_DATA_DIR": str(tmp_path),
        "SAFAR_SECURE_COOKIES": "1",
        "SAFAR_FORWARDED_PROTO_HEADER": "X-Forwarded-Proto",
    }
    out = subprocess.run(
        [*SAFAR, "shell", "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "31536000 ('HTTP_X_FORWARDED_PROTO', 'https') True"


INLINE_CODE = re.compile(r"<style|\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=", re.I)


def test_no_template_or_chart_carries_inline_scripts_or_styles_the_policy_would_block():
    package = Path(__file__).resolve().parents[2] / "src" / "safar"
    offending = [
        str(path.relative_to(package))
        for path in package.rglob("templates/**/*.html")
        if INLINE_CODE.search(path.read_text())
    ]
    assert offending == []
    for columns in (True, False):
        svg = render_svg(Chart(["a", "b"], ["n"], [[1], [2]], columns))
        assert svg and not INLINE_CODE.search(svg)


# -- the documented logs -------------------------------------------------------------------------------

OPERATIONS = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()


def test_the_documented_gunicorn_access_log_leaves_out_query_strings():
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    log_format = re.search(r"--access-logformat '([^']+)'", OPERATIONS).group(1)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/crossings/?q=400111222+Иванов",
        "PATH_INFO": "/crossings/",
        "QUERY_STRING": "q=400111222+Иванов",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://safar.example.tj/crossings/?q=400111222",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = Logger(Config()).atoms(response, request, environ, timedelta(milliseconds=12))
    line = log_format % atoms
    assert line.startswith('127.0.0.1 "GET /crossings/" 200 512')
    assert "400111222" not in line and "Иванов" not in line


def test_the_documented_nginx_access_log_leaves_out_query_strings_and_referers():
    log_format = re.search(r"log_format safar_paths ((?:'[^']*'\s*)+);", OPERATIONS).group(1)
    assert "$uri" in log_format
    for variable in ("$request ", '$request"', "$request_uri", "$args", "$query_string", "$arg_"):
        assert variable not in log_format, variable
    assert "$http_referer" not in log_format
    assert "access_log /var/log/nginx/safar.access.log safar_paths;" in OPERATIONS
