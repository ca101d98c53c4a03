"""The synthetic outreach records `safar bench msc-reports` times M11 and the dashboard with:
skewed as the issue asks (across MSCs, kinds and months), and valid as recorded data."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import F

from safar.core.models import Office
from safar.monitoring import benchmarks
from safar.monitoring.figures import TABLES, Month
from safar.outreach.models import Score, Session, Training


@pytest.fixture
def filled(db, monkeypatch):
    monkeypatch.setattr(benchmarks, "SESSIONS_PER_YEAR", 400)
    monkeypatch.setattr(benchmarks, "TRAININGS_PER_YEAR", 10)
    benchmarks._fill_outreach()


def test_sessions_are_skewed_across_organisers_kinds_and_months(filled):
    years = benchmarks.MONTHS // 12
    assert Session.objects.count() == 400 * years
    by_org = Counter(Session.objects.values_list("org__code", flat=True))
    assert by_org["MSC-DU"] > by_org["MSC-KH"] > by_org["MSC-KU"] > by_org["MSC-BO"] > 0
    assert by_org["MS"] > 0  # the Migration Service's own, in no MSC's report
    by_kind = Counter(Session.objects.values_list("kind", flat=True))
    assert set(by_kind) == set(Session.Kind.values)
    assert by_kind.most_common(1)[0][0] == "info_session"
    assert by_kind["tv"] < by_kind["school"]
    by_month = Counter(d.month for d in Session.objects.values_list("held_on", flat=True))
    assert by_month[12] > by_month[7]  # Migrants Day campaigns, and the summer lull
    assert not Session.objects.filter(held_on__week_day=1).exists()  # no Sundays
    # Radio and TV reach listeners: a guest or two in the studio, no district, no booklets.
    for session in Session.objects.filter(kind__in=Session.BROADCAST):
        assert session.participants <= 3 and session.district_id is None
        assert session.booklets == 0
    assert Session.topics.through.objects.count() >= Session.objects.count()


def test_trainings_have_trainees_and_valid_scores(filled):
    assert Training.objects.count() == 10 * (benchmarks.MONTHS // 12)
    for training in Training.objects.all():
        assert training.ends_on >= training.starts_on
        assert 10 <= training.trainees.count() <= 25
        taught = set(training.topics.values_list("code", flat=True))
        assert (
            set(Score.objects.filter(trainee__training=training).values_list("topic", flat=True))
            == taught
        )
    assert not Score.objects.filter(after__lt=F("before")).exists()
    gains = [g.gain_pct for t in Training.objects.all()[:3] for g in t.gains()]
    assert gains and all(g >= 0 for g in gains)


def test_m11_reads_them(filled):
    du = Office.objects.get(code="MSC-DU")
    month = Month(2025, 3)
    rows = TABLES["M11"].rows([du.pk], month)
    expected = Session.objects.filter(
        org=du, held_on__gte=month.first_day, held_on__lte=month.last_day
    )
    assert sum(row[1] for row in rows) == expected.count() > 0
    assert sum(row[2] + row[3] for row in rows) == sum(s.participants for s in expected)
