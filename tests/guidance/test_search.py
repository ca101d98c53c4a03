"""The guide's search finds the other word forms of Russian and Tajik words."""

import pytest

from safar.guidance.models import Article
from safar.guidance.search import query_words, stem


@pytest.mark.parametrize(
    ("forms", "common_stem"),
    [
        (["регистрация", "регистрации", "регистрацию", "регистрацией"], "регистрац"),
        (["мигрант", "мигранты", "мигрантов", "мигрантам", "мигрантами"], "мигрант"),
        (["ҳуҷҷат", "ҳуҷҷатҳо", "ҳуҷҷатҳои", "ҳуҷҷатҳоро"], "хуччат"),
        (["муҳоҷир", "муҳоҷирон", "муҳоҷиронро"], "мухочир"),
    ],
)
def test_every_form_of_a_russian_or_tajik_word_has_the_same_stem(forms, common_stem):
    assert {word for form in forms for word in query_words(form)} == {common_stem}


def test_latin_words_numbers_and_short_words_keep_their_form():
    assert [stem(w) for w in ["agency", "109", "виза", "ба"]] == ["agency", "109", "виз", "ба"]
    assert stem("кор") == "кор"


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("регистрации", "registration"),  # the article says "регистрацию"
        ("миграционного учёта", "registration"),  # it says "миграционном учёте"
        ("шаҳрвандонро", "registration"),  # it says "шаҳрвандони"
    ],
)
def test_search_finds_an_article_by_another_form_of_its_words(db, query, slug):
    assert slug in set(Article.objects.search(query).values_list("slug", flat=True))
