"""Properties of the ban self-check that hold for every case (Hypothesis)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from safar.guidance.bancheck import DEFAULT_RULES, case_to_json, check, parse_case
from safar.guidance.bancheck.case import Case, Conviction, Offence, Permit, Removal, Stay
from safar.guidance.bancheck.explain import explanations

AS_OF = date(2026, 11, 22)
FIRST = date(2023, 1, 1)


@st.composite
def stays(draw):
    """Non-overlapping stays in date order, from 2023 up to as_of; the last may be open."""
    result, day = [], FIRST + timedelta(days=draw(st.integers(0, 400)))
    for _ in range(draw(st.integers(0, 5))):
        length = draw(st.integers(1, 400))
        exit_ = day + timedelta(days=length - 1)
        if exit_ > AS_OF:
            break
        result.append(Stay(day, exit_))
        day = exit_ + timedelta(days=draw(st.integers(0, 200)))
        if day > AS_OF:
            break
    if result and draw(st.booleans()) and result[-1].exit:
        last = result[-1]
        result[-1] = Stay(last.entry, None)
    return tuple(result)


dates = st.dates(min_value=FIRST, max_value=AS_OF)
permits = st.builds(
    lambda start, days: Permit("patent", start, start + timedelta(days=days)),
    dates,
    st.integers(0, 365),
)
offences = st.builds(
    Offence, dates, st.sampled_from(["migration", "public_order", "traffic", "other"])
)
removals = st.builds(Removal, dates, st.sampled_from(["expulsion", "deportation", "readmission"]))
convictions = st.builds(
    lambda on, years: Conviction(on, None if years is None else on + timedelta(days=365 * years)),
    dates,
    st.none() | st.integers(1, 8),
)
cases = st.builds(
    Case,
    st.just(AS_OF),
    stays(),
    st.lists(permits, max_size=3).map(tuple),
    st.lists(offences, max_size=3).map(tuple),
    st.lists(removals, max_size=2).map(tuple),
    st.lists(convictions, max_size=1).map(tuple),
)


def with_permit(case: Case, permit: Permit) -> Case:
    return Case(
        case.as_of,
        case.stays,
        (*case.permits, permit),
        case.offences,
        case.removals,
        case.convictions,
    )


def covered_by(bans_after, bans_before) -> bool:
    """Every ban after the change existed before, starting the same day and lasting as long."""

    def key(ban):
        return ban.ends_on or date.max

    return all(
        any(
            b.ground == a.ground and b.starts_on == a.starts_on and key(b) >= key(a)
            for b in bans_before
        )
        for a in bans_after
    )


def later_or_equal(a, b) -> bool:
    """a is no earlier than b, where None (no end) is the latest of all."""
    return a is None or (b is not None and a >= b)


@settings(max_examples=150, deadline=None)
@given(cases, permits)
def test_a_permit_never_adds_overstay_or_a_ban(case, permit):
    before, after = check(case, DEFAULT_RULES), check(with_permit(case, permit), DEFAULT_RULES)
    for old, new in zip(before.stays, after.stays, strict=True):
        assert new.overstay_days <= old.overstay_days
    assert covered_by(after.bans, before.bans)
    assert later_or_equal(before.entry_possible_from, after.entry_possible_from)


@settings(max_examples=150, deadline=None)
@given(cases, st.integers(0, 4))
def test_removing_a_stay_never_adds_a_ban(case, index):
    if not case.stays:
        return
    index %= len(case.stays)
    before = check(case, DEFAULT_RULES)
    after = check(case.without_stay(index), DEFAULT_RULES)
    assert covered_by(after.bans, before.bans)
    assert later_or_equal(before.entry_possible_from, after.entry_possible_from)
    remaining = before.stays[:index] + before.stays[index + 1 :]
    for old, new in zip(remaining, after.stays, strict=True):
        assert new.overstay_days <= old.overstay_days


@settings(max_examples=150, deadline=None)
@given(cases)
def test_every_answer_is_consistent(case):
    result = check(case, DEFAULT_RULES)
    for stay in result.stays:
        end = stay.exit or AS_OF
        assert stay.days == (end - stay.entry).days + 1
        assert 0 <= stay.overstay_days <= stay.days
        assert (stay.overstay_days == 0) == (
            stay.last_lawful_day is None or stay.last_lawful_day >= end
        )
    for ban in result.bans:
        assert ban.ends_on is None or ban.ends_on > ban.starts_on
        assert ban.starts_on <= AS_OF
    assert result.entry_possible_from is None or result.entry_possible_from >= AS_OF
    texts = explanations(result)
    assert all(texts[lang] for lang in ("tg", "ru", "en"))


@settings(max_examples=100, deadline=None)
@given(cases)
def test_the_json_input_reads_back_to_the_same_case(case):
    assert parse_case(case_to_json(case), today=AS_OF) == case


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2014, 1, 1), max_value=date(2024, 6, 1)), st.integers(1, 200))
def test_a_lone_stay_under_the_old_rule_overstays_by_its_days_beyond_90(entry, days):
    exit_ = entry + timedelta(days=days - 1)
    if exit_ >= date(2025, 1, 1):
        return
    (stay,) = check(Case(AS_OF, (Stay(entry, exit_),)), DEFAULT_RULES).stays
    assert stay.overstay_days == max(0, days - 90)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 1)), st.integers(1, 170))
def test_a_lone_stay_under_the_new_rule_overstays_by_its_days_beyond_90(entry, days):
    exit_ = entry + timedelta(days=days - 1)
    (stay,) = check(Case(AS_OF, (Stay(entry, exit_),)), DEFAULT_RULES).stays
    assert stay.overstay_days == max(0, days - 90)


@settings(max_examples=150, deadline=None)
@given(cases, st.integers(0, 4), st.integers(0, 400), st.booleans())
def test_an_exit_inside_a_stay_never_adds_overstay_or_a_ban(case, index, split, same_day):
    """Splitting a stay by an exit (the next day, or re-entering the same day) keeps every day in
    the window and the year but ends the continuous stay: it can only lower the overstay."""
    if not case.stays:
        return
    index %= len(case.stays)
    whole = case.stays[index]
    end = whole.exit or case.as_of
    if end <= whole.entry:
        return
    cut = whole.entry + timedelta(days=split % (end - whole.entry).days)
    parts = (Stay(whole.entry, cut), Stay(cut if same_day else cut + timedelta(days=1), whole.exit))
    split_case = Case(
        case.as_of,
        case.stays[:index] + parts + case.stays[index + 1 :],
        case.permits,
        case.offences,
        case.removals,
        case.convictions,
    )
    before, after = check(case, DEFAULT_RULES), check(split_case, DEFAULT_RULES)
    assert sum(s.overstay_days for s in after.stays) <= sum(s.overstay_days for s in before.stays)
    if whole.exit is not None:  # (an exit in a stay still going on may start a ban that day)
        assert later_or_equal(before.entry_possible_from, after.entry_possible_from)


@settings(max_examples=150, deadline=None)
@given(cases)
def test_the_ban_leaving_now_brings_is_the_ban_of_the_same_stay_closed_today(case):
    """While the person is still in Russia, `ban_if_leaving_now` is exactly the overstay ban the
    answer would show had they left on as_of; and a longer ban comes only later."""
    result = check(case, DEFAULT_RULES)
    if not case.stays or case.stays[-1].exit is not None:
        assert result.current is None
        return
    closed = Case(
        case.as_of,
        (*case.stays[:-1], Stay(case.stays[-1].entry, case.as_of)),
        case.permits,
        case.offences,
        case.removals,
        case.convictions,
    )
    left_today = [
        b
        for b in check(closed, DEFAULT_RULES).bans
        if b.ground == "overstay" and b.starts_on == case.as_of
    ]
    current = result.current
    assert left_today == ([current.ban_if_leaving_now] if current.ban_if_leaving_now else [])
    if current.overstay_days:
        assert current.days_left is None
    else:
        assert current.ban_if_leaving_now is None and current.next_ban is None
    if current.next_ban is not None:
        assert current.next_ban.starts_on > case.as_of
        now_years = current.ban_if_leaving_now.years if current.ban_if_leaving_now else 0
        assert current.next_ban.years > now_years
    assert result.verdict != "no_ban"
