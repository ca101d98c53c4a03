"""The article editor: new articles start as drafts, a preview that saves nothing, required
fields marked, wide text fields, and a diff naming the changed fields by their labels."""

import pytest
from django.urls import reverse

from safar.core.models import Role
from safar.guidance.models import Article, ArticleVersion
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(make_user("editor", "DIR", Role.EDITOR))
    return client


def form_data(client, slug: str) -> dict:
    form = client.get(reverse("guidance:editor_edit", args=[slug])).context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {name: ("on" if value is True else value) for name, value in data.items() if value}


def test_a_new_article_starts_unpublished_so_saving_it_makes_a_draft(editor_client):
    form = editor_client.get(reverse("guidance:editor_new")).context["form"]
    assert form["published"].value() is False
    data = form_data(editor_client, "registration")
    data.pop("published")
    data.update(slug="new-rules", based_on="")
    response = editor_client.post(reverse("guidance:editor_new"), data)
    assert response.status_code == 302
    assert Article.objects.get(slug="new-rules").published is False


def test_preview_shows_the_rendered_text_in_each_language_and_saves_nothing(editor_client):
    before = Article.objects.get(slug="registration")
    data = form_data(editor_client, "registration")
    data.update(body_en="## New heading\n\n- first point", preview="1")
    response = editor_client.post(reverse("guidance:editor_edit", args=["registration"]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h2>New heading</h2>" in page and "<li>first point</li>" in page
    assert [part["language"] for part in response.context["preview"]] == ["tg", "ru", "en"]
    assert Article.objects.get(slug="registration").body_en == before.body_en
    assert before.versions.count() == Article.objects.get(slug="registration").versions.count()


def test_required_fields_are_marked_and_texts_are_wide(editor_client):
    response = editor_client.get(reverse("guidance:editor_edit", args=["registration"]))
    page = response.content.decode()
    form = response.context["form"]
    required = [name for name, field in form.fields.items() if field.required]
    assert "title_tg" in required
    assert page.count('<span class="req" aria-hidden="true">*</span>') == len(
        [name for name in required if not form[name].is_hidden]
    )
    assert 'class="wide"' in str(form["body_ru"])


def test_the_diff_names_only_the_changed_fields_by_their_labels(editor_client):
    url = reverse("guidance:editor_edit", args=["registration"])
    # Saved once as it is (the starter version predates the sources' languages), then the
    # title alone changed: the form strips the texts' trailing newlines, which is no change.
    assert editor_client.post(url, form_data(editor_client, "registration")).status_code == 302
    data = form_data(editor_client, "registration")
    data.update(title_ru="Регистрация — 15 дней", note="title")
    assert editor_client.post(url, data).status_code == 302
    number = Article.objects.get(slug="registration").versions.first().number
    response = editor_client.get(
        reverse("guidance:editor_diff", args=["registration", number]),
        headers={"accept-language": "en"},
    )
    names = [str(change["label"]) for change in response.context["changes"]]
    assert names == ["title (Russian)"]
    assert "title_ru" not in response.content.decode()


def test_a_text_differing_only_by_its_trailing_newline_is_not_a_change():
    article = Article.objects.get(slug="registration")
    snapshot = article.snapshot()
    older = ArticleVersion(article=article, number=1, content=snapshot)
    newer = ArticleVersion(
        article=article,
        number=2,
        content=snapshot | {"body_tg": snapshot["body_tg"].rstrip("\n") + "\n", "title_en": "X"},
    )
    older.content = snapshot | {"body_tg": snapshot["body_tg"].rstrip("\n")}
    assert [name for name, _lines in newer.diff(older)] == ["title_en"]
