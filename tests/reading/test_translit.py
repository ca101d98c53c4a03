"""Tajik Cyrillic ↔ Latin as in passports' MRZs (ICAO 9303 Part 3 plus the six Tajik letters)."""

import pytest

from safar.reading.translit import to_cyrillic, to_latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Ҷамшед", "JAMSHED"),
        ("Ғафуров", "GHAFUROV"),
        ("Қурбонов", "QURBONOV"),
        ("Раҳмонов", "RAHMONOV"),
        ("Ӯлмасов", "ULMASOV"),
        ("Ҳакимӣ", "HAKIMI"),
        ("Хуршед", "KHURSHED"),
        ("Юлия Щеглова", "IULIIA SHCHEGLOVA"),
        ("Цой", "TSOI"),
        ("Объедков", "OBIEEDKOV"),
        ("Игорь", "IGOR"),
    ],
)
def test_cyrillic_names_get_their_icao_spelling(cyrillic, latin):
    assert to_latin(cyrillic) == latin


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("JAMSHED", "Ҷамшед"),
        ("GHAFUROV", "Ғафуров"),
        ("QURBONOV", "Қурбонов"),
        ("RAHMONOV", "Раҳмонов"),
        ("KHURSHED", "Хуршед"),
        ("ERGASH", "Эргаш"),
        ("YUSUF", "Юсуф"),
        ("ANNA MARIA", "Анна Мариа"),
        ("SHCHEGLOVA", "Щеглова"),
    ],
)
def test_latin_names_get_a_tajik_cyrillic_guess(latin, cyrillic):
    assert to_cyrillic(latin) == cyrillic


@pytest.mark.parametrize("name", ["Ҷамшед Раҳмонов", "Ғафуров Қурбон", "Хуршед-Зарина Шарипова"])
def test_tajik_names_survive_a_round_trip(name):
    assert to_cyrillic(to_latin(name)) == name


def test_letters_outside_the_table_lose_only_their_accents():
    assert to_latin("José Müller") == "JOSE MULLER"
