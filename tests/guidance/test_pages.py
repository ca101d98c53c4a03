"""The public guide, the calculator page, the JSON API and the CLI, against the real database.

World: the starter articles and rules from the migrations; an anonymous visitor; an editor; an
operator (staff without the editor role).
"""

import json
from datetime import date

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdfium2 import PdfDocument

from safar.core.models import AuditEvent, Role
from safar.guidance.bancheck import DEFAULT_RULES
from safar.guidance.models import (
    Article,
    ArticleVersion,
    BanRule,
    HelpContact,
    StayLimitRule,
    current_rulebook,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return make_user("editor", "DIR", Role.EDITOR)


@pytest.fixture(autouse=True)
def _clear_rate_limit():
    cache.clear()


def in_language(client, code):
    client.post(reverse("set_language"), {"language": code, "next": "/"})
    return client


def test_the_rules_loaded_by_the_migration_are_the_engines_defaults():
    assert current_rulebook() == DEFAULT_RULES
    assert StayLimitRule.objects.filter(effective_from=date(2025, 1, 1)).count() == 2


def test_anonymous_visitor_reads_the_guide_in_tajik_by_default(client):
    response = client.get(reverse("guidance:index"))
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="tg">' in text
    assert "Бақайдгирии муҳоҷиратӣ дар давоми 15 рӯз" in text
    assert "/guide/calculator/" in text


def test_every_starter_article_exists_in_three_languages_with_sources():
    articles = Article.objects.all()
    assert {a.topic for a in articles} == {"before", "in_russia", "rights", "return"}
    for article in articles:
        for lang in ("tg", "ru", "en"):
            assert len(getattr(article, f"body_{lang}")) > 500, (article.slug, lang)
        assert article.source_lines() and article.versions.count() == 1
    cited = " ".join(a.sources_en for a in articles)
    for law in ("115-FZ", "114-FZ", "109-FZ"):
        assert law in cited


def test_article_page_shows_last_checked_date_sources_and_uncertain_marker(client):
    in_language(client, "ru")
    response = client.get(reverse("guidance:article", args=["registration"]))
    text = response.content.decode()
    assert "Миграционный учёт в течение 15 дней" in text
    assert "22.11.2026" in text
    assert '<mark class="uncertain"' in text
    assert "109-ФЗ" in text
    assert "не юридическая консультация" in text


def test_contacts_without_confirmed_details_show_a_placeholder_not_a_number(client):
    text = client.get(reverse("guidance:index")).content.decode()
    assert HelpContact.objects.filter(confirmed=False).count() == 2
    assert "tel:" not in text
    hotline = HelpContact.objects.get(key="msc-hotline")
    hotline.phone, hotline.confirmed = "+992 00 000 0000", True
    hotline.save()
    assert 'href="tel:+992 00 000 0000"' in client.get(reverse("guidance:index")).content.decode()


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("патент", "work-patent"),  # Russian
        ("ҳуҷҷатҳо", "documents-before-departure"),  # Tajik with Tajik letters
        ("хуччатхо", "documents-before-departure"),  # the same typed on a Russian keyboard
        ("УЧЁТ", "registration"),  # capitals and ё
        ("licensed agency", "organised-recruitment"),  # English, two words
    ],
)
def test_search_finds_articles_in_any_language(client, query, slug):
    response = client.get(reverse("guidance:index"), {"q": query})
    assert reverse("guidance:article", args=[slug]) in response.content.decode()
    assert slug in set(Article.objects.search(query).values_list("slug", flat=True))


def test_search_for_nonsense_finds_nothing():
    assert not Article.objects.search("zzqx").exists()
    assert not Article.objects.search(" ").exists()


def test_the_leaflet_is_a_pdf_in_the_visitors_language(client):
    in_language(client, "ru")
    response = client.get(reverse("guidance:article_pdf", args=["work-patent"]))
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfDocument(response.content)
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Трудовой патент" in text and "не юридическая консультация" in text


def leaflet_lines(client, slug, language):
    in_language(client, language)
    pdf = PdfDocument(client.get(reverse("guidance:article_pdf", args=[slug])).content)
    text = "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    return [line.strip() for line in text.splitlines()]


def test_the_leaflet_prints_a_table_as_a_table_one_row_a_line(client):
    lines = leaflet_lines(client, "entry-bans", "en")
    assert "Ground Length Kind" in lines
    assert "Overstaying by more than 30 days 3 years from departure mandatory" in lines
    assert "2 administrative offences within 3 years 3 years discretionary" in lines


def test_the_leaflet_prints_a_link_with_its_address(client):
    lines = leaflet_lines(client, "entry-bans", "en")
    text = " ".join(lines)
    assert "stay and entry-ban check (http://testserver/guide/calculator/)" in text


def test_the_article_cites_its_sources_in_the_readers_language(client):
    url = reverse("guidance:article", args=["registration"])
    russian = in_language(client, "ru").get(url).content.decode()
    assert "Федеральный закон от 18.07.2006 № 109-ФЗ" in russian and "Federal Law" not in russian
    tajik = in_language(client, "tg").get(url).content.decode()
    assert "Қонуни федералии № 109-ФЗ" in tajik and "Federal Law" not in tajik
    assert "Federal Law No. 109-FZ" in in_language(client, "en").get(url).content.decode()
    lines = leaflet_lines(client, "registration", "ru")
    assert any(line.startswith("Федеральный закон от 18.07.2006") for line in lines)
    assert not any("Federal Law" in line for line in lines)


def test_sources_not_yet_translated_are_shown_in_english():
    article = Article.objects.get(slug="registration")
    article.sources_tg = ""
    assert article.source_lines("tg") == article.source_lines("en")


def test_the_data_migration_translates_the_starter_sources_an_editor_left_unchanged():
    from django.apps import apps

    from safar.guidance.seed import translate_sources

    Article.objects.update(sources_tg="", sources_ru="")
    Article.objects.filter(slug="work-patent").update(sources_en="Edited by an editor")
    translate_sources(apps)
    registration = Article.objects.get(slug="registration")
    assert registration.sources_ru.startswith("Федеральный закон от 18.07.2006 № 109-ФЗ")
    assert registration.sources_tg.startswith("Қонуни федералии № 109-ФЗ")
    edited = Article.objects.get(slug="work-patent")
    assert (edited.sources_tg, edited.sources_ru) == ("", "")


def test_a_version_saved_before_sources_had_a_language_compares_with_a_later_one():
    article = Article.objects.get(slug="registration")
    old = article.versions.get(number=1)
    old.content = {k: v for k, v in old.content.items() if not k.startswith("sources")} | {
        "sources": article.sources_en
    }
    newer = ArticleVersion(article=article, number=2, content=article.snapshot())
    changed = [name for name, _lines in newer.diff(old)]
    assert "sources_en" not in changed
    assert {"sources_tg", "sources_ru"} <= set(changed)


def test_drafts_are_hidden_from_the_public_but_shown_to_editors(client, editor):
    Article.objects.filter(slug="registration").update(published=False)
    url = reverse("guidance:article", args=["registration"])
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("guidance:index")).content.decode()
    client.force_login(editor)
    assert client.get(url).status_code == 200


def test_editor_saves_an_article_and_a_version_and_audit_record_are_kept(client, editor):
    client.force_login(editor)
    article = Article.objects.get(slug="registration")
    form = client.get(reverse("guidance:editor_edit", args=["registration"])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        title_en="Registration within 15 days",
        note="Shorter title",
        last_checked_on="2026-12-01",
        published="on",
    )
    response = client.post(reverse("guidance:editor_edit", args=["registration"]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title_en == "Registration within 15 days"
    latest = article.versions.first()
    assert (latest.number, latest.saved_by, latest.note) == (2, editor, "Shorter title")
    event = AuditEvent.objects.get(object_type="guidance.article", object_id=str(article.pk))
    assert event.user == editor and "title_en" in event.changes
    diff = client.get(reverse("guidance:editor_diff", args=["registration", 2]))
    assert "Registration within 15 days" in diff.content.decode()
    assert "Migration registration within 15 days" in diff.content.decode()
    history = client.get(reverse("guidance:editor_history", args=["registration"]))
    assert "Shorter title" in history.content.decode()


def test_an_editor_cannot_overwrite_a_newer_version_unseen(client, editor):
    client.force_login(editor)
    form = client.get(reverse("guidance:editor_edit", args=["registration"])).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(published="on")
    first = {**data, "title_en": "First change"}
    second = {**data, "title_en": "Second change"}
    url = reverse("guidance:editor_edit", args=["registration"])
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert response.status_code == 200
    assert "%(n)s" not in str(response.context["form"].non_field_errors())
    assert " 2" in str(response.context["form"].non_field_errors())
    assert Article.objects.get(slug="registration").title_en == "First change"


def test_editor_creates_a_new_article(client, editor):
    client.force_login(editor)
    data = {
        "slug": "new-one",
        "topic": "rights",
        "position": 5,
        "last_checked_on": "2026-11-22",
        "published": "on",
        "sources_en": "115-FZ art. 5",
        "note": "New",
        **{
            f"{p}_{lang}": f"{p} {lang}"
            for p in ("title", "summary", "body")
            for lang in ("tg", "ru", "en")
        },
    }
    assert client.post(reverse("guidance:editor_new"), data).status_code == 302
    assert Article.objects.get(slug="new-one").versions.get().number == 1


def test_staff_without_the_editor_role_cannot_edit(client, operator_du):
    client.force_login(operator_du)
    assert client.get(reverse("guidance:editor_edit", args=["registration"])).status_code == 403
    assert client.get(reverse("guidance:editor_list")).status_code == 403


def test_anonymous_visitor_is_sent_to_login_for_editing(client):
    response = client.get(reverse("guidance:editor_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_body_html_is_sanitised():
    from safar.guidance.rendering import to_html

    html = to_html("Hi <script>alert(1)</script> [x](javascript:alert(1)) ??maybe??")
    assert "<script" not in html and "javascript:" not in html
    assert '<mark class="uncertain"' in html


# --- the calculator page ---------------------------------------------------------------------


def management(prefix, total):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"}


def calculator_data(**rows):
    data = {"as_of": "2026-11-22"}
    for prefix in ("stays", "permits", "offences", "removals", "convictions"):
        items = rows.get(prefix, [])
        data.update(management(prefix, max(len(items), 1)))
        for index, item in enumerate(items):
            data.update({f"{prefix}-{index}-{key}": value for key, value in item.items()})
    return data


def test_calculator_shows_the_ban_and_the_day_by_day_table(client):
    in_language(client, "en")
    data = calculator_data(stays=[{"entry": "2025-01-10", "exit": "2025-05-10"}])
    response = client.post(reverse("guidance:calculator"), data)
    text = response.content.decode()
    assert "Entry to Russia is possible from 10.05.2028." in text
    assert "31 days beyond the limit" in text
    assert "Last lawful day: 09.04.2025." in text
    assert 'class="g-overrow"' in text and "not legal advice" in text


def test_calculator_add_another_row_keeps_what_was_typed_and_shows_no_errors(client):
    data = calculator_data(stays=[{"entry": "2025-01-10", "exit": ""}])
    data["add"] = "stays"
    response = client.post(reverse("guidance:calculator"), data)
    formset = response.context["form"].formsets["stays"]
    assert len(formset.forms) == 2
    assert 'value="2025-01-10"' in response.content.decode()
    assert "errorlist" not in response.content.decode()


def test_calculator_puts_case_errors_next_to_the_field(client):
    in_language(client, "en")
    data = calculator_data(
        stays=[
            {"entry": "2025-01-10", "exit": "2025-03-01"},
            {"entry": "2025-02-01", "exit": "2025-02-10"},
        ]
    )
    response = client.post(reverse("guidance:calculator"), data)
    form = response.context["form"].formsets["stays"].forms[1]
    assert form.errors["entry"] == ["This stay starts before the previous stay ended."]
    assert "result" not in response.context


def test_calculator_permits_and_ongoing_stay(client):
    data = calculator_data(
        stays=[{"entry": "2026-10-01", "exit": ""}],
        permits=[{"kind": "patent", "start": "2026-10-20", "end": "2027-03-31"}],
    )
    response = client.post(reverse("guidance:calculator"), data)
    result = response.context["result"]
    assert result.stays[0].last_lawful_day == date(2027, 6, 29)
    assert response.context["stays"][0]["today"].used == 19


# --- the JSON API ----------------------------------------------------------------------------


def post_json(client, body, **extra):
    return client.post(
        "/api/bancheck",
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        **extra,
    )


def test_api_answers_the_documented_json(client):
    response = post_json(
        client, {"as_of": "2026-11-22", "removals": [{"on": "2023-05-01", "kind": "expulsion"}]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["entry_possible_from"] == "2028-05-01"
    assert body["bans"] == [
        {
            "ground": "removal",
            "basis": "114-FZ art. 27(1)(2), (3)",
            "mandatory": True,
            "starts_on": "2023-05-01",
            "ends_on": "2028-05-01",
            "years": 5,
        }
    ]
    assert set(body["explanation"]) == {"tg", "ru", "en"}


def test_api_needs_no_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post_json(strict, {"as_of": "2026-11-22"}).status_code == 200


def test_api_names_the_fields_that_are_wrong(client):
    response = post_json(
        client,
        {
            "as_of": "2026-11-22",
            "stays": [{"entry": "2026-13-01"}, {"entry": "2026-01-05", "exit": "2026-01-01"}],
            "removals": [{"on": "2026-01-01", "kind": "exile"}],
            "colour": "red",
        },
    )
    assert response.status_code == 400
    fields = {p["field"] for p in response.json()["problems"]}
    assert fields == {"stays[0].entry", "stays[1].exit", "removals[0].kind", "colour"}


def test_api_rejects_malformed_json(client):
    response = post_json(client, "{not json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"


def test_api_rejects_get(client):
    assert client.get("/api/bancheck").status_code == 405


def test_api_is_rate_limited_per_address(client):
    for _ in range(30):
        assert post_json(client, {}).status_code == 200
    response = post_json(client, {})
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert post_json(client, {}, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_api_uses_the_rules_as_the_administrator_corrected_them(client):
    BanRule.objects.filter(ground="removal").update(years=7)
    body = post_json(
        client, {"as_of": "2026-11-22", "removals": [{"on": "2023-05-01", "kind": "expulsion"}]}
    ).json()
    assert body["bans"][0]["ends_on"] == "2030-05-01"


def test_moving_the_rule_change_date_changes_how_days_are_counted(client):
    # 90 autumn days, then January 2025: lawful under the new rules (a new year, a new run) …
    case = {
        "as_of": "2026-11-22",
        "stays": [
            {"entry": "2024-09-01", "exit": "2024-11-29"},
            {"entry": "2025-01-01", "exit": "2025-01-31"},
        ],
    }
    assert post_json(client, case).json()["stays"][1]["overstay_days"] == 0
    StayLimitRule.objects.filter(effective_from=date(2025, 1, 1)).update(
        effective_from=date(2025, 2, 5)
    )
    # … but with the change on 5 February, January is judged by the 90/180 window, which still
    # holds all 90 autumn days: every January day is over.
    assert post_json(client, case).json()["stays"][1]["overstay_days"] == 31


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_prints_the_json_answer(tmp_path, capsys):
    path = tmp_path / "case.json"
    path.write_text(
        json.dumps(
            {"as_of": "2026-11-22", "stays": [{"entry": "2025-01-10", "exit": "2025-05-10"}]}
        )
    )
    call_command("bancheck", str(path))
    body = json.loads(capsys.readouterr().out)
    assert body["bans"][0]["ground"] == "overstay"
    assert body["stays"] == [
        {"entry": "2025-01-10", "exit": "2025-05-10", "days": 121, "overstay_days": 31}
    ]


def test_cli_errors_name_the_file_and_the_field(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"stays": [{"entry": "2025-01-10", "exit": "yesterday"}]}))
    with pytest.raises(CommandError, match=r"bad\.json: stays\[0\]\.exit: Expected a date"):
        call_command("bancheck", str(path))


def test_cli_errors_name_the_line_of_broken_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "stays": [\n    {"entry": "2025-01-10",}\n  ]\n}')
    with pytest.raises(CommandError, match=r"broken\.json:3:"):
        call_command("bancheck", str(path))


def test_the_demo_logins_every_app_registers_are_created_and_reset_safely_twice():
    from django.utils.module_loading import autodiscover_modules

    from safar.core import demo
    from safar.core.models import User

    autodiscover_modules("demo")
    for _ in range(2):
        for login in demo._users.values():
            demo.ensure_user(login)
    editor = User.objects.get(username="editor")
    assert editor.has_role(Role.EDITOR) and editor.check_password("safar-editor")
    assert User.objects.get(username="operator-du").office.code == "ICC-DU"
    assert {"admin", "analyst", "operator-du", "operator-su", "editor"} <= set(demo._users)


def test_the_guide_is_linked_for_everyone_from_the_staff_pages(client, operator_du):
    assert 'data-nav="guide"' in client.get(reverse("login")).content.decode()
    client.force_login(operator_du)
    assert 'href="/guide/"' in client.get(reverse("home")).content.decode()


def test_a_list_right_after_a_line_is_still_a_list():
    from safar.guidance.rendering import to_html

    assert (
        to_html("You must:\n- apply\n- pay")
        == "<p>You must:</p>\n<ul>\n<li>apply</li>\n<li>pay</li>\n</ul>"
    )


def test_calculator_tells_someone_still_in_russia_beyond_the_limit_in_red_which_ban_leaving_brings(
    client,
):
    in_language(client, "en")
    data = calculator_data(stays=[{"entry": "2026-07-01", "exit": ""}])
    text = client.post(reverse("guidance:calculator"), data).content.decode()
    assert (
        '<p class="g-verdict g-bad">You are in Russia beyond the lawful stay: leaving now brings'
        " an entry ban of 3 years, until 22.11.2029. Each further day moves its end a day later."
        " Leaving on 28.03.2027 or later brings 5 years.</p>"
    ) in text
    assert "g-good" not in text and "No entry ban was found" not in text


def test_calculator_warns_in_amber_someone_beyond_the_limit_before_a_ban_follows(client):
    in_language(client, "ru")
    data = calculator_data(stays=[{"entry": "2026-08-01", "exit": ""}])
    text = client.post(reverse("guidance:calculator"), data).content.decode()
    assert '<p class="g-verdict g-amber">Вы находитесь в России сверх законного срока.' in text
    assert "до 29.11.2026" in text and "на 3 года" in text


def test_calculator_is_green_only_with_no_ban_and_says_how_many_days_are_left(client):
    in_language(client, "en")
    data = calculator_data(stays=[{"entry": "2026-10-01", "exit": ""}])
    text = client.post(reverse("guidance:calculator"), data).content.decode()
    assert (
        '<p class="g-verdict g-good">No entry ban was found. You have 37 lawful days left after'
        " today (the last is 29.12.2026).</p>"
    ) in text


def test_calculator_shows_a_discretionary_ban_in_amber_not_green(client):
    in_language(client, "en")
    data = calculator_data(
        offences=[
            {"decided_on": "2026-01-10", "kind": "traffic"},
            {"decided_on": "2026-06-10", "kind": "traffic"},
        ]
    )
    text = client.post(reverse("guidance:calculator"), data).content.decode()
    assert '<p class="g-verdict g-amber">No mandatory entry ban was found, but' in text


def test_calculator_cites_the_ban_rule_in_the_visitors_language(client):
    in_language(client, "ru")
    data = calculator_data(stays=[{"entry": "2025-01-10", "exit": "2025-05-10"}])
    text = client.post(reverse("guidance:calculator"), data).content.decode()
    assert "· п. 12 ч. 1 ст. 27 Федерального закона № 114-ФЗ</span>" in text
    assert "114-FZ" not in text
