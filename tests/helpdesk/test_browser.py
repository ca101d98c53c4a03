"""The contact form in Chromium: typing a number shows the caller's earlier contact (the lookup
script), and Enter saves with the keyboard only."""

import datetime
import re

import pytest

from safar.core.models import AuditEvent
from safar.helpdesk.models import Contact
from safar.helpdesk.services import clean_contact, log_contact
from tests.browser.conftest import (  # noqa: F401  (fixtures used by name)
    DESKTOP,
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
NOW = datetime.datetime(2026, 11, 3, 6, 0, tzinfo=datetime.UTC)


def test_typing_a_number_shows_the_earlier_contact_and_enter_saves(
    page_at,  # noqa: F811
    live_server,
    time_machine,
):
    time_machine.move_to(NOW, tick=True)
    consultant = make_user("consultant-du", "MSC-DU", "consultant", password=PASSWORD)
    earlier = {
        "msc": "MSC-DU",
        "received_at": NOW - datetime.timedelta(days=2),
        "channel": "phone",
        "call_type": "data",
        "caller": {"phone": "+992931234567", "name": "Зарина Олимова"},
        "categories": ["documents/patent"],
    }
    log_contact(user=consultant, data=clean_contact(earlier, user=consultant, now=NOW))

    page, base = page_at(**DESKTOP), live_server.url
    log_in(page, base, consultant.username, PASSWORD)
    page.goto(f"{base}/helpdesk/new/")
    assert focused_name(page) == "caller_phone"
    page.keyboard.type("93 123 45 67")
    history = page.locator("#caller-history")
    history.wait_for(state="visible")
    assert "Зарина Олимова" in history.inner_text()
    assert "Work patent" in history.inner_text()
    assert "not known" not in history.inner_text()  # unknown sex and age are left out
    screenshot(page, "helpdesk-new-with-history")

    page.keyboard.press("Enter")
    # The empty form for the next call, offering to open a case from this conversation.
    page.wait_for_url(
        re.compile(re.escape(f"{base}/helpdesk/new/?channel=phone&contact=") + r"\d+$")
    )
    assert Contact.objects.count() == 2
    assert Contact.objects.filter(caller__name="Зарина Олимова").count() == 2
    # The number was looked up by POST: it is in no URL the browser asked for, nor the audit.
    assert "931234567" not in str(list(AuditEvent.objects.values_list("query", flat=True)))
