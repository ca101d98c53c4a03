"""Guide editors get a list of every passage still marked "(?)" (written ??…?? in the text)."""

import pytest
from django.urls import reverse

from safar.core.models import Role
from safar.guidance.models import Article
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_an_article_lists_its_marked_passages_by_language_in_order():
    article = Article(
        body_tg="Патент ??600 сомонӣ?? арзиш дорад ва ??30 рӯз??.",
        body_ru="Патент стоит ??6000\n рублей??.",
        body_en="No marks here.",
    )
    assert article.uncertain_passages() == [
        ("tg", "600 сомонӣ"),
        ("tg", "30 рӯз"),
        ("ru", "6000 рублей"),
    ]


def test_the_facts_page_lists_every_marked_passage_drafts_included_and_no_confirmed_article(
    client,
):
    Article.objects.update(body_tg="", body_ru="", body_en="Everything confirmed.")
    published, draft = Article.objects.all()[:2]
    published.body_ru = "Регистрация в течение ??15 дней?? после въезда."
    published.save()
    draft.published = False
    draft.body_en = "The fee is ??3,000 roubles?? a month."
    draft.save()
    client.force_login(make_user("editor", "DIR", Role.EDITOR))
    response = client.get(reverse("guidance:editor_facts"), headers={"accept-language": "en"})
    assert response.status_code == 200
    rows = {article.slug: passages for article, passages in response.context["rows"]}
    assert set(rows) == {published.slug, draft.slug}
    assert [passage for _code, _lang, passage in rows[published.slug]] == ["15 дней"]
    assert [passage for _code, _lang, passage in rows[draft.slug]] == ["3,000 roubles"]
    page = response.content.decode()
    assert reverse("guidance:editor_edit", args=[draft.slug]) in page
    assert "15 дней" in page
