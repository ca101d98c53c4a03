"""Worked examples of every rule and boundary of the ban self-check (pure engine, no database).

Each row is an example a consultant could check by hand on a calendar; the comment says why the
expected numbers are what they are.
"""

from datetime import date

import pytest

from safar.guidance.bancheck import DEFAULT_RULES, add_years, answer, check, parse_case

AS_OF = "2026-11-22"


def run(**facts):
    facts.setdefault("as_of", AS_OF)
    return check(parse_case(facts, today=date(2026, 11, 22)), DEFAULT_RULES)


def stay(entry, exit_=None):
    return {"entry": entry, "exit": exit_}


def patent(start, end):
    return {"kind": "patent", "from": start, "to": end}


def bans_of(result):
    return [
        (
            b.ground,
            b.starts_on.isoformat(),
            b.ends_on and b.ends_on.isoformat(),
            b.years,
            b.mandatory,
        )
        for b in result.bans
    ]


# (name, stays, permits, overstay days per stay, bans as (ground, starts, ends, years, mandatory))
OVERSTAY_EXAMPLES = [
    # Before the change: one stay of L days with no permit overstays by L - 90.
    (
        "old rule, 120 days: exactly 30 over, no ban",
        [stay("2022-01-01", "2022-04-30")],
        [],
        [30],
        [],
    ),
    (
        "old rule, 121 days: 31 over, 3 years from exit",
        [stay("2022-01-01", "2022-05-01")],
        [],
        [31],
        [("overstay", "2022-05-01", "2025-05-01", 3, True)],
    ),
    (
        "old rule, 270 days: exactly 180 over, still 3 years",
        [stay("2022-01-01", "2022-09-27")],
        [],
        [180],
        [("overstay", "2022-09-27", "2025-09-27", 3, True)],
    ),
    (
        "old rule, 271 days: 181 over, 5 years",
        [stay("2022-01-01", "2022-09-28")],
        [],
        [181],
        [("overstay", "2022-09-28", "2027-09-28", 5, True)],
    ),
    (
        "old rule, 360 days: exactly 270 over, still 5 years",
        [stay("2022-01-01", "2022-12-26")],
        [],
        [270],
        [("overstay", "2022-12-26", "2027-12-26", 5, True)],
    ),
    (
        "old rule, 361 days: 271 over, 10 years",
        [stay("2022-01-01", "2022-12-27")],
        [],
        [271],
        [("overstay", "2022-12-27", "2032-12-27", 10, True)],
    ),
    (
        "old rule, 90 days: the entry and exit days both count, nothing over",
        [stay("2023-03-01", "2023-05-29")],
        [],
        [0],
        [],
    ),
    ("old rule, 91 days: the 91st day is over", [stay("2023-03-01", "2023-05-30")], [], [1], []),
    # The 180-day window forgets days: 90 days, out 90 days, in again 90 days is lawful …
    (
        "old rule, 90 in, 90 out, 90 in: lawful",
        [stay("2023-01-01", "2023-03-31"), stay("2023-06-30", "2023-09-27")],
        [],
        [0, 0],
        [],
    ),
    # … but after 60 days in and only 60 out, the window still holds those 60 days: 30 are left.
    (
        "old rule, 60 in, 60 out, 90 in: 60 over in the second stay",
        [stay("2023-01-01", "2023-03-01"), stay("2023-05-01", "2023-07-29")],
        [],
        [0, 60],
        [("overstay", "2023-07-29", "2026-07-29", 3, True)],
    ),
    # Coming back too early after a full 90 days: every day of the second stay is over.
    (
        "old rule, 90 in, 60 out, 90 in: all 90 over",
        [stay("2023-01-01", "2023-03-31"), stay("2023-05-31", "2023-08-28")],
        [],
        [0, 90],
        [("overstay", "2023-08-28", "2026-08-28", 3, True)],
    ),
    # From the change: 90 days per calendar year and 90 in a row.
    (
        "new rule, 120 days in 2025: exactly 30 over",
        [stay("2025-01-10", "2025-05-09")],
        [],
        [30],
        [],
    ),
    (
        "new rule, 121 days in 2025: 31 over, 3 years",
        [stay("2025-01-10", "2025-05-10")],
        [],
        [31],
        [("overstay", "2025-05-10", "2028-05-10", 3, True)],
    ),
    # The calendar year remembers what the 180-day window forgets: 60 + 61 days in 2025.
    (
        "new rule, two stays in one year add up: 31 over",
        [stay("2025-01-01", "2025-03-01"), stay("2025-09-01", "2025-10-31")],
        [],
        [0, 31],
        [("overstay", "2025-10-31", "2028-10-31", 3, True)],
    ),
    # Across New Year: the year count starts again, the consecutive count does not.
    (
        "new rule, 121 days across New Year: day 91 in a row is over",
        [stay("2025-11-01", "2026-03-01")],
        [],
        [31],
        [("overstay", "2026-03-01", "2029-03-01", 3, True)],
    ),
    (
        "new rule, 90 days to 31 December, back on 2 January for 89 days: lawful",
        [stay("2025-10-03", "2025-12-31"), stay("2026-01-02", "2026-03-31")],
        [],
        [0, 0],
        [],
    ),
    # Across the rule change: the stay is not restarted on 1 January 2025.
    (
        "stay across the change, 121 days in a row: 31 over",
        [stay("2024-12-01", "2025-03-31")],
        [],
        [31],
        [("overstay", "2025-03-31", "2028-03-31", 3, True)],
    ),
    # December is over by the 90/180 window (the summer stay is in it); January is lawful by
    # the new rules (day 32 to 62 in a row, 31 days in 2025): each day by the law of that day.
    (
        "stay across the change, over under the old rule only in December",
        [stay("2024-07-01", "2024-09-28"), stay("2024-12-01", "2025-01-31")],
        [],
        [0, 31],
        [("overstay", "2025-01-31", "2028-01-31", 3, True)],
    ),
    # Permits: their days are lawful and not counted.
    (
        "a patent for the whole stay: nothing counted",
        [stay("2025-02-01", "2025-12-31")],
        [patent("2025-02-01", "2025-12-31")],
        [0],
        [],
    ),
    (
        "a patent from day 20: 19 days counted",
        [stay("2025-02-01", "2025-12-31")],
        [patent("2025-02-20", "2025-12-31")],
        [0],
        [],
    ),
    # Counted: 1–19 February and 1 October–31 December (92): the year passes 90 on 11 December.
    (
        "a patent that ran out on 30 September: 21 over, no ban",
        [stay("2025-02-01", "2025-12-31")],
        [patent("2025-02-20", "2025-09-30")],
        [21],
        [],
    ),
    # 29 February: a ban of N years from 29 February ends on 1 March.
    (
        "overstay ending on 29 February: the ban ends on 1 March",
        [stay("2023-11-01", "2024-02-29")],
        [],
        [31],
        [("overstay", "2024-02-29", "2027-03-01", 3, True)],
    ),
]


@pytest.mark.parametrize(
    ("name", "stays", "permits", "overstays", "bans"),
    OVERSTAY_EXAMPLES,
    ids=[row[0] for row in OVERSTAY_EXAMPLES],
)
def test_overstay_worked_examples(name, stays, permits, overstays, bans):
    result = run(stays=stays, permits=permits)
    assert [s.overstay_days for s in result.stays] == overstays
    assert bans_of(result) == bans


def test_days_count_entry_and_exit_days():
    result = run(stays=[stay("2026-01-01", "2026-01-01"), stay("2026-02-01", "2026-02-10")])
    assert [s.days for s in result.stays] == [1, 10]


def test_same_day_exit_and_reentry_counts_the_day_once_and_the_year_total_binds():
    # 1 Jan–31 Mar is 90 days; the exit ends the run, but 1 April is day 91 of the year.
    result = run(stays=[stay("2026-01-01", "2026-03-31"), stay("2026-03-31", "2026-04-01")])
    assert [s.overstay_days for s in result.stays] == [0, 1]


def test_two_stays_separated_by_an_exit_on_consecutive_days_are_two_stays():
    # 90 days to 31 December 2025, out and back on 1 January for 40 days: the departure ended the
    # continuous stay (115-FZ art. 5(1)) and 2026 has 40 days: lawful, no ban (merged it was 130
    # days in a row, 40 over, and a 3-year ban).
    result = run(stays=[stay("2025-10-03", "2025-12-31"), stay("2026-01-01", "2026-02-09")])
    assert [s.overstay_days for s in result.stays] == [0, 0]
    assert result.bans == ()


def test_a_same_day_exit_and_reentry_also_ends_the_continuous_stay():
    result = run(stays=[stay("2025-10-03", "2025-12-31"), stay("2025-12-31", "2026-02-09")])
    assert [s.overstay_days for s in result.stays] == [0, 0]
    assert result.bans == ()


def test_the_calendar_year_total_still_binds_across_an_exit():
    # 60 days (1 Jan–1 Mar), out, back the next day for 70: 130 days in 2026, 40 over.
    result = run(stays=[stay("2026-01-01", "2026-03-01"), stay("2026-03-02", "2026-05-10")])
    assert [s.overstay_days for s in result.stays] == [0, 40]
    assert bans_of(result) == [("overstay", "2026-05-10", "2029-05-10", 3, True)]


def test_someone_still_in_russia_beyond_the_limit_is_told_the_ban_leaving_now_brings():
    # In since 1 July 2026: the 90th day is 28 September; on 22 November 55 days over.
    facts = {"as_of": AS_OF, "stays": [stay("2026-07-01")]}
    result = answer(parse_case(facts, today=date(2026, 11, 22)), DEFAULT_RULES)
    assert result["verdict"] == "ban_on_leaving"
    assert result["bans"] == []  # the ban runs from departure: none exists yet
    current = result["current_stay"]
    assert current["overstay_days"] == 55 and current["days_left"] is None
    assert current["ban_if_leaving_now"] == {
        "ground": "overstay",
        "basis": "114-FZ art. 27(1)(12)",
        "mandatory": True,
        "starts_on": "2026-11-22",
        "ends_on": "2029-11-22",
        "years": 3,
    }
    # The 181st day over (29 September + 180) is 28 March 2027: leaving then brings 5 years.
    assert (current["next_ban"]["starts_on"], current["next_ban"]["years"]) == ("2027-03-28", 5)
    english = result["explanation"]["en"]
    assert "If you leave today, entry is banned for 3 years, until 22.11.2029" in english
    assert "each further day" in english and "28.03.2027" in english
    assert "no ground for an entry ban was found" not in english
    assert "115-FZ art. 5(1)" in english and "114-FZ art. 27(1)(12)" in english
    russian, tajik = result["explanation"]["ru"], result["explanation"]["tg"]
    assert "до 22.11.2029 (п. 12 ч. 1 ст. 27 Федерального закона № 114-ФЗ)" in russian
    assert (
        "п. 1 ст. 5 Федерального закона № 115-ФЗ (в ред. Федерального закона № 260-ФЗ)" in russian
    )
    assert "22.11.2029" in tajik and "банди 12 қисми 1 моддаи 27 Қонуни федералии № 114-ФЗ" in tajik
    assert "FZ" not in russian and "FZ" not in tajik


def test_someone_less_than_30_days_over_is_told_the_last_day_to_leave_without_a_ban():
    # In since 1 August 2026: last lawful day 29 October, 24 days over on 22 November; the 31st
    # day over is 29 November.
    result = run(stays=[stay("2026-08-01")])
    assert result.verdict == "overstay"
    assert result.current.ban_if_leaving_now is None
    assert (result.current.next_ban.starts_on, result.current.next_ban.years) == (
        date(2026, 11, 29),
        3,
    )
    english = answer(
        parse_case({"as_of": AS_OF, "stays": [stay("2026-08-01")]}, today=date(2026, 11, 22)),
        DEFAULT_RULES,
    )["explanation"]["en"]
    assert "If you leave by 28.11.2026" in english


def test_someone_within_the_limit_is_told_how_many_days_are_left():
    result = run(stays=[stay("2026-10-01")])
    assert result.verdict == "within_limit"
    assert result.current.days_left == 37  # 29 December is the 90th day
    english = answer(
        parse_case({"as_of": AS_OF, "stays": [stay("2026-10-01")]}, today=date(2026, 11, 22)),
        DEFAULT_RULES,
    )["explanation"]["en"]
    assert "After today you have 37 lawful days left." in english


OTHER_EXAMPLES = [
    (
        "one removal: 5 years, mandatory",
        {"removals": [{"on": "2023-05-01", "kind": "expulsion"}]},
        [("removal", "2023-05-01", "2028-05-01", 5, True)],
        "2028-05-01",
    ),
    (
        "a removal after an earlier one: 10 years",
        {
            "removals": [
                {"on": "2021-07-10", "kind": "deportation"},
                {"on": "2018-03-01", "kind": "readmission"},
            ]
        },
        [
            ("removal", "2018-03-01", "2023-03-01", 5, True),
            ("repeat_removal", "2021-07-10", "2031-07-10", 10, True),
        ],
        "2031-07-10",
    ),
    (
        "removal on 29 February ends on 1 March",
        {"removals": [{"on": "2024-02-29", "kind": "expulsion"}]},
        [("removal", "2024-02-29", "2029-03-01", 5, True)],
        "2029-03-01",
    ),
    (
        "a removal long ago: the ban is listed, entry is possible now",
        {"removals": [{"on": "2015-01-15", "kind": "expulsion"}]},
        [("removal", "2015-01-15", "2020-01-15", 5, True)],
        AS_OF,
    ),
    (
        "two offences of any kind within 3 years: 3 years, discretionary",
        {
            "offences": [
                {"decided_on": "2024-01-10", "kind": "traffic"},
                {"decided_on": "2026-01-09", "kind": "other"},
            ]
        },
        [("offences_3y", "2026-01-09", "2029-01-09", 3, False)],
        AS_OF,
    ),
    (
        "two offences exactly 3 years apart: no ban",
        {
            "offences": [
                {"decided_on": "2023-01-10", "kind": "traffic"},
                {"decided_on": "2026-01-10", "kind": "traffic"},
            ]
        },
        [],
        AS_OF,
    ),
    (
        "one offence: no ban",
        {"offences": [{"decided_on": "2026-01-10", "kind": "migration"}]},
        [],
        AS_OF,
    ),
    (
        "two migration offences within a year: 5 years mandatory, and 3 discretionary",
        {
            "offences": [
                {"decided_on": "2025-03-01", "kind": "migration"},
                {"decided_on": "2026-02-28", "kind": "migration"},
            ]
        },
        [
            ("offences_1y", "2026-02-28", "2031-02-28", 5, True),
            ("offences_3y", "2026-02-28", "2029-02-28", 3, False),
        ],
        "2031-02-28",
    ),
    (
        "migration and public order exactly a year apart: only the 3-year rule",
        {
            "offences": [
                {"decided_on": "2025-03-01", "kind": "migration"},
                {"decided_on": "2026-03-01", "kind": "public_order"},
            ]
        },
        [("offences_3y", "2026-03-01", "2029-03-01", 3, False)],
        AS_OF,
    ),
    (
        "a migration and a traffic offence within a year: only the 3-year rule",
        {
            "offences": [
                {"decided_on": "2026-01-01", "kind": "migration"},
                {"decided_on": "2026-02-01", "kind": "traffic"},
            ]
        },
        [("offences_3y", "2026-02-01", "2029-02-01", 3, False)],
        AS_OF,
    ),
    (
        "a conviction with a known expunging date: banned until then",
        {"convictions": [{"on": "2020-05-05", "expunged_on": "2027-05-05"}]},
        [("conviction", "2020-05-05", "2027-05-05", None, True)],
        "2027-05-05",
    ),
    (
        "a conviction not expunged: no date of entry",
        {"convictions": [{"on": "2020-05-05", "expunged_on": None}]},
        [("conviction", "2020-05-05", None, None, True)],
        None,
    ),
    (
        "a conviction expunged in the past: listed, not blocking",
        {"convictions": [{"on": "2015-05-05", "expunged_on": "2019-05-05"}]},
        [("conviction", "2015-05-05", "2019-05-05", None, True)],
        AS_OF,
    ),
    ("nothing at all: entry possible as of today", {}, [], AS_OF),
]


@pytest.mark.parametrize(
    ("name", "facts", "bans", "entry"), OTHER_EXAMPLES, ids=[row[0] for row in OTHER_EXAMPLES]
)
def test_removal_offence_and_conviction_worked_examples(name, facts, bans, entry):
    result = run(**facts)
    assert bans_of(result) == bans
    assert (result.entry_possible_from and result.entry_possible_from.isoformat()) == entry


def test_entry_possible_from_is_the_latest_end_of_the_mandatory_bans_only():
    result = run(
        stays=[stay("2025-01-10", "2025-05-10")],  # 3 years → 2028-05-10
        removals=[{"on": "2023-05-01", "kind": "expulsion"}],  # → 2028-05-01
        offences=[
            {"decided_on": "2026-01-01", "kind": "traffic"},
            {"decided_on": "2026-06-01", "kind": "traffic"},
        ],
    )  # → 2029, optional
    assert result.entry_possible_from == date(2028, 5, 10)


def test_a_stay_still_going_on_has_no_ban_yet_but_shows_the_last_lawful_day():
    result = run(stays=[stay("2026-07-01")])
    (current,) = result.stays
    assert (current.days, current.overstay_days) == (145, 55)
    assert current.last_lawful_day == date(2026, 9, 28)
    assert result.bans == ()


def test_the_last_lawful_day_of_a_current_stay_is_projected_forward():
    result = run(stays=[stay("2026-10-01")])
    assert result.stays[0].last_lawful_day == date(2026, 12, 29)


def test_a_current_patent_moves_the_last_lawful_day():
    result = run(stays=[stay("2026-10-01")], permits=[patent("2026-10-20", "2027-03-31")])
    # 19 counted days in 2026 before the patent; from 1 April 2027 a new year and a new run.
    assert result.stays[0].last_lawful_day == date(2027, 6, 29)


@pytest.mark.parametrize(
    ("start", "years", "end"),
    [
        (date(2024, 2, 29), 3, date(2027, 3, 1)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2023, 3, 1), 5, date(2028, 3, 1)),
        (date(2025, 12, 31), 10, date(2035, 12, 31)),
    ],
)
def test_a_ban_of_n_years_ends_on_the_same_day_and_month(start, years, end):
    assert add_years(start, years) == end


def test_the_answer_has_exactly_the_documented_shape():
    facts = {
        "as_of": AS_OF,
        "stays": [stay("2024-03-01", "2024-09-15")],
        "permits": [patent("2024-03-20", "2024-08-31")],
        "offences": [{"decided_on": "2025-01-10", "kind": "migration"}],
        "removals": [{"on": "2023-05-01", "kind": "expulsion"}],
        "convictions": [{"on": "2020-05-05", "expunged_on": "2027-05-05"}],
    }
    result = answer(parse_case(facts, today=date(2026, 11, 22)), DEFAULT_RULES)
    assert set(result) == {
        "verdict",
        "entry_possible_from",
        "bans",
        "stays",
        "current_stay",
        "explanation",
    }
    assert result["verdict"] == "banned" and result["current_stay"] is None
    assert result["entry_possible_from"] == "2028-05-01"
    assert result["stays"] == [
        {"entry": "2024-03-01", "exit": "2024-09-15", "days": 199, "overstay_days": 0}
    ]
    assert set(result["bans"][0]) == {
        "ground",
        "basis",
        "mandatory",
        "starts_on",
        "ends_on",
        "years",
    }
    assert set(result["explanation"]) == {"tg", "ru", "en"}


def test_the_explanation_says_it_is_not_legal_advice_and_what_to_do_next():
    result = answer(
        parse_case(
            {"as_of": AS_OF, "removals": [{"on": "2023-05-01", "kind": "expulsion"}]},
            today=date(2026, 11, 22),
        ),
        DEFAULT_RULES,
    )
    text = result["explanation"]
    assert "не юридическая консультация" in text["ru"]
    assert "на маслиҳати ҳуқуқӣ" in text["tg"]
    assert "not legal advice" in text["en"] and "01.05.2028" in text["en"]
    assert "МВД" in text["ru"] and "Вазорати корҳои дохилии" in text["tg"]
    assert "на 5 лет" in text["ru"]


@pytest.mark.parametrize(
    ("basis", "russian", "tajik"),
    [
        ("114-FZ art. 26(4)", "п. 4 ст. 26 Федерального закона № 114-ФЗ", "банди 4 моддаи 26"),
        (
            "114-FZ art. 27(1)(2), (3)",
            "пп. 2, 3 ч. 1 ст. 27 Федерального закона № 114-ФЗ",
            "бандҳои 2, 3 қисми 1 моддаи 27 Қонуни федералии № 114-ФЗ",
        ),
        ("Decree No. 12 of 14.01.2015", "Decree No. 12 of 14.01.2015", "Decree No. 12"),
    ],
)
def test_a_rules_legal_basis_is_cited_the_way_each_language_cites_the_law(basis, russian, tajik):
    from safar.guidance.bancheck.explain import cite

    assert cite(basis, "en") == basis
    assert cite(basis, "ru") == russian
    assert cite(basis, "tg").startswith(tajik)
