"""The whole hotline flow in Chromium, in Tajik, by keyboard (issue 13's "Done means"): a call
from a number with an earlier contact shows the caller's history, the call is saved, a case is
opened from it, filled and referred to a partner organisation with the client's consent and what
the partner may see; the partner accepts the referral from its own pages, and the consultant
reads "accepted" in the case's timeline. axe-core runs on every main page of the flow.

The consultant and the partner use only the keyboard (type, Tab, Shift+Tab, arrows, Space,
Enter): elements are located only to assert what the page shows."""

import datetime
import re

import pytest
from django.utils import translation
from django.utils.text import capfirst

from safar.core.models import Office
from safar.helpdesk.models import Case, Contact, Referral
from safar.helpdesk.services import clean_contact, log_contact
from tests.browser.conftest import (  # noqa: F401  (fixtures used by name)
    DESKTOP,
    assert_accessible,
    chromium,
    focused_name,
    log_in,
    page_at,
    reference_data,
    screenshot,
)
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Safar-2026"
NOW = datetime.datetime(2026, 11, 24, 6, 0, tzinfo=datetime.UTC)
PHONE = "+992935550101"
# Every Tab press moves one step; a page longer than this is a page the test got lost on.
MOST_TABS = 250


def tajik(message: str) -> str:
    """What the Tajik pages say for `message` (the catalogue, not a copy of it)."""
    with translation.override("tg"):
        return translation.gettext(message)


def tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab backwards) until the focused element matches `selector`, as a
    keyboard user moves through a page; fails if it is never reached."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MOST_TABS):
        if page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} is not reachable with {key} on {page.url}")


def choose_with_arrows(page, value: str) -> None:
    """On a focused <select>, press the down arrow until `value` is chosen (a closed select in
    Chromium changes its value with the arrows, as a keyboard user picks an option)."""
    for _ in range(60):
        if page.evaluate("() => document.activeElement.value") == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value} is not reachable with the arrows on {page.url}")


def test_a_call_becomes_a_case_referred_and_accepted_in_tajik_by_keyboard(
    page_at,  # noqa: F811
    live_server,
    time_machine,
):
    time_machine.move_to(NOW, tick=True)
    consultant = make_user("consultant-du", "MSC-DU", "consultant", password=PASSWORD)
    partner = make_user("partner-iom", "IOM-MOW", "partner", password=PASSWORD)
    earlier = {
        "msc": "MSC-DU",
        "received_at": NOW - datetime.timedelta(days=5),
        "channel": "phone",
        "call_type": "data",
        "caller": {"phone": PHONE, "name": "Фарҳод Раҳимов"},
        "categories": ["documents/patent"],
    }
    log_contact(user=consultant, data=clean_contact(earlier, user=consultant, now=NOW))
    base = live_server.url

    # --- the call: the number typed, the caller's history, Enter saves -------------------------
    page = page_at(**DESKTOP, locale="tg")
    log_in(page, base, consultant.username, PASSWORD)
    page.goto(f"{base}/helpdesk/new/")
    assert page.locator("html").get_attribute("lang") == "tg"
    assert focused_name(page) == "caller_phone"
    assert_accessible(page)
    page.keyboard.type("93 555 01 01")
    history = page.locator("#caller-history")
    history.wait_for(state="visible")
    assert tajik("Earlier contacts from this number") in history.inner_text()
    assert "Фарҳод Раҳимов" in history.inner_text()
    assert_accessible(page)  # with the history shown
    screenshot(page, "hotline-flow-tg-1-call-history")
    page.keyboard.press("Enter")
    page.wait_for_url(
        re.compile(re.escape(f"{base}/helpdesk/new/?channel=phone&contact=") + r"\d+$")
    )
    contact = Contact.objects.latest("pk")
    assert contact.caller.phone == PHONE
    assert Contact.objects.filter(caller__phone=PHONE).count() == 2

    # --- a case opened from the contact just logged (the link the form offers) -----------------
    # The focus is back on the phone number for the next call; the link is above the form.
    offer = page.locator(f"a[href$='/helpdesk/cases/new/?contact={contact.pk}']")
    assert offer.inner_text() == tajik("Open a case from the conversation just logged")
    tab_to(page, f"a[href$='/helpdesk/cases/new/?contact={contact.pk}']", backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/helpdesk/cases/new/?contact={contact.pk}")
    assert page.locator("#id_person_name").input_value() == "Фарҳод Раҳимов"  # from the call
    assert page.locator("#id_person_relation").input_value() == "migrant"
    assert_accessible(page)
    tab_to(page, "#id_case_type")
    choose_with_arrows(page, Case.Type.MIGRANT)
    tab_to(page, "#id_summary")
    page.keyboard.type("Музди меҳнат дар Маскав чор моҳ пардохт нашудааст")
    tab_to(page, "#id_person_passport")
    page.keyboard.type("A1234567")
    page.keyboard.press("Enter")  # implicit submission: the form's first button, open the case
    page.wait_for_url(re.compile(re.escape(f"{base}/helpdesk/cases/") + r"\d+/$"))
    case = Case.objects.get()
    assert page.url == f"{base}/helpdesk/cases/{case.pk}/"
    assert case.summary.startswith("Музди меҳнат")
    assert case.case_type == Case.Type.MIGRANT
    assert case.assigned_to == consultant
    assert list(case.contacts.values_list("pk", flat=True)) == [contact.pk]
    migrant = case.people.get()
    assert (migrant.relation, migrant.passport) == ("migrant", "A1234567")
    assert tajik("Case %(number)s opened.") % {"number": case.number} in page.inner_text("body")
    assert_accessible(page)
    screenshot(page, "hotline-flow-tg-2-case")

    # --- the referral: partner, what is asked, what the partner may see, consent --------------
    tab_to(page, "#id_referral_partner")
    choose_with_arrows(page, "IOM-MOW")
    tab_to(page, "#id_referral_reason")
    page.keyboard.type("Ёрии ҳуқуқӣ барои гирифтани музди меҳнат")
    tab_to(page, "#referrals input[name=shared][value=contact]")
    page.keyboard.press("Space")
    tab_to(page, "#id_referral_consent")
    page.keyboard.press("Space")
    tab_to(page, "#referrals button.primary")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/helpdesk/cases/{case.pk}/#referrals")
    referral = Referral.objects.get()
    assert referral.partner == Office.objects.get(code="IOM-MOW")
    assert referral.shared == ["contact"]
    assert referral.consent == Referral.Consent.GIVEN
    assert referral.status == Referral.Status.SENT

    # --- the partner, in a browser of its own, accepts it ---------------------------------------
    partner_page = page_at(**DESKTOP, locale="tg")
    log_in(partner_page, base, partner.username, PASSWORD)
    assert_accessible(partner_page)
    partner_page.goto(f"{base}/helpdesk/referrals/")
    assert case.number in partner_page.inner_text("main")
    assert_accessible(partner_page)
    tab_to(partner_page, f"a[href='/helpdesk/referrals/{referral.pk}/']")
    partner_page.keyboard.press("Enter")
    partner_page.wait_for_url(f"{base}/helpdesk/referrals/{referral.pk}/")
    shown = partner_page.inner_text("main")
    assert "Фарҳод Раҳимов" in shown  # the contact details were shared
    assert "A1234567" not in shown  # the identity was not
    assert "Музди меҳнат дар Маскав" not in shown  # nor the case's summary
    assert tajik("Accept the referral") in shown
    assert_accessible(partner_page)
    screenshot(partner_page, "hotline-flow-tg-3-partner-referral")
    tab_to(partner_page, "form:has(input[value=accept]) button")
    partner_page.keyboard.press("Enter")
    partner_page.wait_for_url(f"{base}/helpdesk/referrals/{referral.pk}/")
    partner_page.get_by_text(tajik("Mark as done"), exact=True).wait_for()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.answered_by == partner

    # --- the consultant reads "accepted" in the case's timeline -----------------------------------
    page.reload()
    timeline = page.locator("#timeline").inner_text()
    assert capfirst(tajik("referral accepted")) in timeline
    referrals = page.locator("#referrals").inner_text()
    assert capfirst(tajik("accepted")) in referrals
    assert_accessible(page)
    screenshot(page, "hotline-flow-tg-4-case-accepted")
