"""Services, referrals and figures in Chromium: a supervisor records a service and sends a
referral from the case's sections (with an error first), the partner accepts it from its pages,
the coordinator reads the figures; axe-core finds no serious violation on any of these pages."""

import datetime

import pytest

from safar.core.models import Office
from safar.helpdesk.models import Case, CasePerson, Referral, Service
from tests.browser.conftest import (  # noqa: F401  (fixtures used by name)
    DESKTOP,
    assert_accessible,
    chromium,
    log_in,
    page_at,
    reference_data,
    screenshot,
)
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-Safar-2026"
NOW = datetime.datetime(2026, 11, 20, 6, 0, tzinfo=datetime.UTC)


def test_a_service_and_a_referral_sent_accepted_and_counted(
    page_at,  # noqa: F811
    live_server,
    time_machine,
):
    time_machine.move_to(NOW, tick=True)
    supervisor = make_user("supervisor-du", "MSC-DU", "supervisor", password=PASSWORD)
    partner = make_user("partner-iom", "IOM-MOW", "partner", password=PASSWORD)
    make_user("coordinator", "MS", "coordinator", password=PASSWORD)
    case = Case.objects.create(
        msc=Office.objects.get(code="MSC-DU"),
        case_type=Case.Type.BARRED,
        summary="Barred for five years; looks for work at home",
        opened_by=supervisor,
    )
    CasePerson.objects.create(case=case, relation="migrant", name="Бахтовар Шарипов")
    base = live_server.url

    page = page_at(**DESKTOP)
    log_in(page, base, supervisor.username, PASSWORD)
    page.goto(f"{base}/helpdesk/cases/{case.pk}/services-referrals/")
    assert_accessible(page)
    page.select_option("#id_service_kind", "legal")
    page.fill("#id_service_given_on", "2026-12-01")  # a slip: in the future
    page.get_by_role("button", name="Record the service").click()
    page.locator("#id_service_given_on-errors").wait_for()
    assert_accessible(page)  # the errors next to the fields
    page.fill("#id_service_given_on", "2026-11-20")
    page.get_by_role("button", name="Record the service").click()
    page.wait_for_load_state()
    assert Service.objects.filter(case=case).count() == 1
    page.select_option("#id_referral_partner", "IOM-MOW")
    page.fill("#id_referral_reason", "Retraining as a welder")
    page.check("input[name=shared][value=contact]")
    page.check("#id_referral_consent")
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_load_state()
    referral = Referral.objects.get()
    assert referral.shared == ["contact"]
    screenshot(page, "helpdesk-case-services-referrals")

    page = page_at(**DESKTOP)
    log_in(page, base, partner.username, PASSWORD)
    assert "Waiting for your answer: 1." in page.inner_text("main")
    assert_accessible(page)
    page.goto(f"{base}/helpdesk/referrals/")
    assert_accessible(page)
    page.get_by_role("link", name=case.number).click()
    assert "Бахтовар Шарипов" in page.inner_text("main")
    assert "Barred for five years" not in page.inner_text("main")  # the summary is not shared
    assert_accessible(page)
    page.get_by_role("button", name="Reject the referral").click()  # without the reason
    page.locator("#id_reject_text-errors").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Accept the referral").click()
    page.wait_for_load_state()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    screenshot(page, "helpdesk-partner-referral")

    page = page_at(**DESKTOP)
    log_in(page, base, "coordinator", PASSWORD)
    page.goto(f"{base}/helpdesk/cases/statistics/")
    assert "Бахтовар" not in page.inner_text("main")
    assert_accessible(page)
    page.goto(f"{base}/helpdesk/cases/open-with-reason/")
    page.fill("#id_number", case.number)
    page.fill("#id_reason", "short")
    page.get_by_role("button", name="Open the case").click()
    page.locator("#id_reason-errors").wait_for()
    assert_accessible(page)
    page.fill("#id_reason", "The client complained to the Ministry")
    page.get_by_role("button", name="Open the case").click()
    page.wait_for_load_state()
    assert "Бахтовар Шарипов" in page.inner_text("main")
    assert_accessible(page)
