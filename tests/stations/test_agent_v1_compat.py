"""Agents already in the field (safar-station-agent/1, frozen in agent_v1.py) against today's
server, whose errors have the API's shape: they still upload, retry after a lost answer, stop on
a revoked token, and set refused files aside with a readable reason."""

from io import StringIO
from pathlib import Path

import pytest

from safar.capture.models import Upload

from . import agent_v1
from .conftest import png_bytes, sha
from .test_agent import LosingProxy, journal_states, write_scans

pytestmark = pytest.mark.django_db(transaction=True)


def old_agent(folder: Path, server: str, token: str, **options) -> agent_v1.Agent:
    values = dict(
        once=True,
        settle=0.05,
        poll=0.02,
        backoff_base=0.05,
        backoff_cap=0.2,
        timeout=5,
        retries=20,
        quiet=True,
    )
    values.update(options)
    settings = agent_v1.Settings(folder=folder, server=server, token=token, **values)
    return agent_v1.Agent(settings, out=StringIO())


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "scans"
    path.mkdir()
    return path


def test_an_agent_of_version_1_still_uploads_every_file_once(live_server, du_station, folder):
    contents = write_scans(folder, 3)
    assert old_agent(folder, live_server.url, du_station[1]).run() == agent_v1.EXIT_OK
    assert set(Upload.objects.values_list("sha256", flat=True)) == {sha(c) for c in contents}
    assert journal_states(folder) == {"done": 3}


def test_an_agent_of_version_1_retries_a_lost_answer_and_stores_once(
    live_server, du_station, folder
):
    write_scans(folder, 2)
    proxy = LosingProxy((live_server.thread.host, live_server.thread.port), lose=1)
    try:
        agent = old_agent(folder, proxy.url, du_station[1], timeout=0.5)
        assert agent.run() == agent_v1.EXIT_OK
    finally:
        proxy.close()
    assert agent.counts.failed == 1 and agent.counts.sent == 2
    assert Upload.objects.count() == 2


def test_an_agent_of_version_1_sets_refused_files_aside_with_the_reason(
    live_server, du_station, folder
):
    (folder / "broken.png").write_bytes(png_bytes(9)[:-40])
    (folder / "notes.txt").write_text("not a scan")
    agent = old_agent(folder, live_server.url, du_station[1])
    assert agent.run() == agent_v1.EXIT_REFUSED
    assert agent.counts.refused == 2 and not Upload.objects.exists()
    refused = folder / "refused"
    reason = (refused / "notes.txt.reason.txt").read_text()
    # Version 1 writes "code: <the error>"; the error is now an object, its message inside.
    assert reason.startswith("wrong_type: ") and "message" in reason
    assert (refused / "broken.png.reason.txt").read_text().startswith("corrupt: ")
    assert journal_states(folder) == {"set_aside": 2}


def test_an_agent_of_version_1_stops_on_a_revoked_token(live_server, du_station, folder):
    station, token = du_station
    station.tokens.update(revoked_at="2026-11-01T00:00:00Z")
    write_scans(folder, 1)
    with pytest.raises(agent_v1.ConfigError, match="token"):
        old_agent(folder, live_server.url, token).run()
    assert (folder / "scan-0000.png").exists()


def test_todays_agent_writes_the_message_alone_as_the_reason(live_server, du_station, folder):
    from safar.stations.agent import EXIT_REFUSED, Agent, Settings

    (folder / "notes.txt").write_text("not a scan")
    settings = Settings(folder=folder, server=live_server.url, token=du_station[1], once=True)
    settings.settle, settings.poll, settings.quiet = 0.05, 0.02, True
    assert Agent(settings, out=StringIO()).run() == EXIT_REFUSED
    reason = (folder / "refused" / "notes.txt.reason.txt").read_text()
    assert reason.startswith("wrong_type: ") and "{" not in reason
