"""Services and referrals of a case (the case page's two sections), the partner organisation's
referral pages, the case figures and the coordinator's reasoned look at a case."""

import datetime

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from safar.core.models import AuditEvent, Office
from safar.helpdesk.models import Case, CaseEvent, CasePerson, Referral, Service
from safar.helpdesk.statistics import case_statistics, month_bounds
from safar.helpdesk.workflow import answer_referral, send_referral
from tests.conftest import make_user

NOW = datetime.datetime(2026, 11, 20, 6, 0, tzinfo=datetime.UTC)  # 11:00 in Dushanbe
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def in_english(client, settings):
    # The messages are matched in English; the interface's default is Tajik.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def migrant(case_du):
    return CasePerson.objects.create(
        case=case_du,
        relation=CasePerson.Relation.MIGRANT,
        name="Фирдавс Раҳимов",
        phone="+79161234567",
        passport="400100200",
        birth_date=datetime.date(1991, 4, 5),
    )


@pytest.fixture
def referral_iom(case_du, migrant, consultant_du):
    case_du.assessment = "Four months of wages unpaid; psychologically exhausted."
    case_du.psychological = "Panic attacks since the employer's threats."
    case_du.save()
    return send_referral(
        case_du,
        partner=Office.objects.get(code="IOM-MOW"),
        reason="Help to recover the wages from the employer in Moscow",
        shared=["contact", "summary"],
        consent=True,
        user=consultant_du,
    )


# --- services ---------------------------------------------------------------------------------


def test_a_service_is_recorded_from_the_cases_form(client, consultant_du, case_du, migrant):
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:case-service-add", args=[case_du.pk]),
        {"kind": "legal", "given_on": "2026-11-20", "person": migrant.pk, "notes": "Contract"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#services")
    service = Service.objects.get()
    assert (service.kind, service.given_on, service.person, service.given_by) == (
        "legal",
        TODAY,
        migrant,
        consultant_du,
    )
    assert AuditEvent.objects.filter(action="create", object_type="helpdesk.service").exists()


@pytest.mark.parametrize(
    ("given_on", "message"),
    [
        ("2026-11-21", "The date is in the future."),
        ("2026-11-19", "The date is before the case was opened."),
        ("19.11.2026", "Give a date as YYYY-MM-DD."),
    ],
)
def test_a_service_date_in_the_future_or_before_the_case_is_refused(
    client, consultant_du, case_du, given_on, message
):
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:case-service-add", args=[case_du.pk]),
        {"kind": "legal", "given_on": given_on, "notes": "typed"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_service_given_on-errors"' in html and message in html
    assert "typed" in html  # what was typed comes back
    assert not Service.objects.exists()


def test_a_service_is_given_only_to_a_person_of_this_case(client, consultant_du, case_du):
    other = Case.objects.create(
        msc=case_du.msc, case_type=Case.Type.FAMILY, summary="Other", opened_by=consultant_du
    )
    stranger = CasePerson.objects.create(case=other, relation="spouse", name="Зарина")
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:case-service-add", args=[case_du.pk]),
        {"kind": "bogus", "given_on": "2026-11-20", "person": stranger.pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_service_person-errors"' in html and 'id="id_service_kind-errors"' in html
    assert not Service.objects.exists()


def test_another_centres_case_takes_no_service_and_is_not_shown(client, consultant_kh, case_du):
    client.force_login(consultant_kh)
    url = reverse("helpdesk:case-service-add", args=[case_du.pk])
    assert client.post(url, {"kind": "legal", "given_on": "2026-11-20"}).status_code == 404
    assert client.get(reverse("helpdesk:case-work", args=[case_du.pk])).status_code == 404
    assert not Service.objects.exists()


def test_service_notes_are_withheld_without_the_sensitive_permission(
    consultant_du, coordinator, case_du
):
    Service.objects.create(
        case=case_du,
        kind="psychological",
        given_on=TODAY,
        given_by=consultant_du,
        notes="Talked about the threats",
    )
    template = engines["django"].from_string('{% include "helpdesk/case/_services.html" %}')

    def render(user):
        request = RequestFactory().get("/")
        request.user = user
        return template.render({"case": case_du}, request)

    assert "Talked about the threats" in render(consultant_du)
    shown = render(coordinator)
    assert "Talked about the threats" not in shown and "withheld" in shown


# --- referrals from the MSC -------------------------------------------------------------------


def test_a_consultant_sends_a_referral_with_the_clients_consent(client, consultant_du, case_du):
    client.force_login(consultant_du)
    page = client.get(reverse("helpdesk:case-work", args=[case_du.pk])).content.decode()
    assert 'name="consent_note"' not in page  # the override is the supervisor's
    response = client.post(
        reverse("helpdesk:case-referral-send", args=[case_du.pk]),
        {
            "partner": "IOM-MOW",
            "reason": "Recover the wages",
            "shared": ["summary", "contact"],
            "consent": "yes",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#referrals")
    referral = Referral.objects.get()
    assert referral.partner.code == "IOM-MOW" and referral.shared == ["contact", "summary"]
    assert referral.consent == Referral.Consent.GIVEN


def test_without_consent_a_consultant_is_refused_and_a_supervisor_must_say_why(
    client, consultant_du, supervisor_du, case_du
):
    url = reverse("helpdesk:case-referral-send", args=[case_du.pk])
    body = {"partner": "FLAC", "reason": "Court letter", "shared": ["contact"]}
    client.force_login(consultant_du)
    response = client.post(url, body)
    assert response.status_code == 400
    assert 'id="id_referral_consent-errors"' in response.content.decode()
    client.force_login(supervisor_du)
    response = client.post(url, body)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_referral_consent_note-errors"' in html
    assert 'value="contact" checked' in html and "Court letter" in html
    assert not Referral.objects.exists()
    response = client.post(url, {**body, "consent_note": "A child at risk; parents unreachable"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.consent == Referral.Consent.OVERRIDDEN
    assert referral.consent_note.startswith("A child")


def test_an_unknown_partner_is_an_error_by_its_field(client, consultant_du, case_du):
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:case-referral-send", args=[case_du.pk]),
        {"partner": "MSC-KH", "reason": "x", "consent": "yes"},
    )
    assert response.status_code == 400
    assert 'id="id_referral_partner-errors"' in response.content.decode()


def test_the_msc_revokes_a_referral_and_the_partner_then_sees_nothing_of_the_client(
    client, consultant_du, partner_iom, referral_iom
):
    client.force_login(partner_iom)
    page = client.get(reverse("helpdesk:referral", args=[referral_iom.pk])).content.decode()
    assert "Фирдавс Раҳимов" in page and "+79161234567" in page
    client.force_login(consultant_du)
    response = client.post(reverse("helpdesk:referral-revoke", args=[referral_iom.pk]))
    assert response.status_code == 302
    referral_iom.refresh_from_db()
    assert referral_iom.status == Referral.Status.REVOKED
    client.force_login(partner_iom)
    page = client.get(reverse("helpdesk:referral", args=[referral_iom.pk])).content.decode()
    assert "Фирдавс Раҳимов" not in page and "+79161234567" not in page
    assert "Wages unpaid" not in page and "recover the wages" not in page
    assert "revoked" in page


# --- the partner organisation's pages --------------------------------------------------------


def test_a_partner_sees_only_the_referrals_sent_to_it(
    client, partner_iom, partner_flac, referral_iom, consultant_du, case_du
):
    send_referral(
        case_du,
        partner=Office.objects.get(code="FLAC"),
        reason="Court letter",
        shared=["contact"],
        consent=True,
        user=consultant_du,
    )
    client.force_login(partner_iom)
    page = client.get(reverse("helpdesk:referrals")).content.decode()
    assert page.count(reverse("helpdesk:referral", args=[referral_iom.pk])) == 1
    assert "Court letter" not in page
    client.force_login(partner_flac)
    assert client.get(reverse("helpdesk:referral", args=[referral_iom.pk])).status_code == 404
    assert client.get(reverse("helpdesk:case-work", args=[case_du.pk])).status_code == 403
    assert client.get(reverse("helpdesk:contacts")).status_code == 403
    response = client.post(
        reverse("helpdesk:referral", args=[referral_iom.pk]), {"action": "accept"}
    )
    assert response.status_code == 404
    referral_iom.refresh_from_db()
    assert referral_iom.status == Referral.Status.SENT


def test_the_partner_sees_only_the_shared_items_and_the_look_is_audited(
    client, partner_iom, referral_iom
):
    client.force_login(partner_iom)
    page = client.get(reverse("helpdesk:referral", args=[referral_iom.pk])).content.decode()
    assert "Фирдавс Раҳимов" in page  # contact: shared
    assert "Wages unpaid for four months in Moscow" in page  # summary: shared
    assert "400100200" not in page and "1991-04-05" not in page  # identity: not shared
    assert "Four months of wages unpaid" not in page  # assessment: not shared
    assert "Panic attacks" not in page  # sensitive: never shared
    assert AuditEvent.objects.filter(
        action="view", object_type="helpdesk.referral", object_id=str(referral_iom.pk)
    ).exists()


def test_the_partner_accepts_rejects_with_a_reason_and_completes(client, partner_iom, referral_iom):
    url = reverse("helpdesk:referral", args=[referral_iom.pk])
    client.force_login(partner_iom)
    response = client.post(url, {"action": "reject", "text": " "})
    assert response.status_code == 400
    assert 'id="id_reject_text-errors"' in response.content.decode()
    referral_iom.refresh_from_db()
    assert referral_iom.status == Referral.Status.SENT
    assert client.post(url, {"action": "accept"}).status_code == 302
    response = client.post(url, {"action": "complete", "text": "Wages paid on 2026-11-19."})
    assert response.status_code == 302
    referral_iom.refresh_from_db()
    assert referral_iom.status == Referral.Status.DONE
    assert referral_iom.feedback == "Wages paid on 2026-11-19."
    assert referral_iom.answered_by == partner_iom
    assert list(referral_iom.events.values_list("action", flat=True)) == [
        "send",
        "accept",
        "complete",
    ]


def test_the_partners_home_page_counts_new_referrals_and_the_menu_links_them(
    client, partner_iom, referral_iom
):
    client.force_login(partner_iom)
    page = client.get(reverse("home")).content.decode()
    assert "Waiting for your answer: 1." in page
    assert f'href="{reverse("helpdesk:referrals")}"' in page


# --- citizens barred from Russia ----------------------------------------------------------------


@pytest.fixture
def barred_case(consultant_du):
    return Case.objects.create(
        msc=Office.objects.get(code="MSC-DU"),
        case_type=Case.Type.BARRED,
        summary="Barred for 5 years, needs work at home",
        opened_by=consultant_du,
    )


def test_the_path_and_outcome_of_a_barred_citizen_are_saved(client, consultant_du, barred_case):
    client.force_login(consultant_du)
    url = reverse("helpdesk:case-barred", args=[barred_case.pk])
    response = client.post(url, {"barred_path": "", "barred_outcome": "employed"})
    assert response.status_code == 400
    assert 'id="id_barred_path-errors"' in response.content.decode()
    response = client.post(url, {"barred_path": "retraining", "barred_outcome": "in_training"})
    assert response.status_code == 302
    barred_case.refresh_from_db()
    assert (barred_case.barred_path, barred_case.barred_outcome) == ("retraining", "in_training")


def test_only_a_barred_citizens_case_has_a_path(client, consultant_du, case_du):
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:case-barred", args=[case_du.pk]), {"barred_path": "retraining"}
    )
    assert response.status_code == 400
    case_du.refresh_from_db()
    assert case_du.barred_path == ""


# --- the case figures --------------------------------------------------------------------------


@pytest.fixture
def small_world(consultant_du, consultant_kh):
    du, kh = Office.objects.get(code="MSC-DU"), Office.objects.get(code="MSC-KH")
    october = datetime.datetime(2026, 10, 5, 6, tzinfo=datetime.UTC)

    def case(msc, case_type, **values):
        return Case.objects.create(
            msc=msc, case_type=case_type, summary="Secret name Раҳимов", **values
        )

    case(du, "migrant")  # opened in November
    case(du, "migrant", follow_up_due=datetime.date(2026, 11, 10))  # overdue
    case(du, "barred", barred_path="retraining", barred_outcome="in_training", opened_at=october)
    case(du, "barred", barred_path="retraining", barred_outcome="no_result", opened_at=october)
    case(du, "barred", barred_path="domestic_employment", barred_outcome="employed")
    case(
        du,
        "family",
        status="closed",
        closed_at=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC),
        opened_at=october,
    )
    case(kh, "barred", barred_path="organized_recruitment", barred_outcome="departed")
    referred = case(du, "migrant", opened_at=october)
    send_referral(
        referred,
        partner=Office.objects.get(code="IOM-MOW"),
        reason="x",
        shared=[],
        consent=True,
        user=consultant_du,
    )
    answer_referral(
        send_referral(
            referred,
            partner=Office.objects.get(code="FLAC"),
            reason="y",
            shared=[],
            consent=True,
            user=consultant_du,
        ),
        "revoke",
        consultant_du,
    )
    return du, kh


def test_the_figures_of_a_small_dataset(small_world, django_assert_num_queries):
    du, kh = small_world
    start, end = month_bounds(TODAY)
    assert (start, end) == (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    with django_assert_num_queries(7):  # the centres, then one grouped query per table
        figures = case_statistics(
            Office.objects.filter(code__in=["MSC-DU", "MSC-KH"]),
            today=TODAY,
            month_start=start,
            month_end=end,
        )
    dushanbe, khujand, total = figures
    assert (dushanbe.msc, khujand.msc, total.msc) == (du, kh, None)
    assert dushanbe.by_type.get("migrant", "open") == 3
    assert dushanbe.by_type.get("barred", "open") == 3
    assert dushanbe.by_type.get("family", "closed") == 1
    assert (dushanbe.opened, dushanbe.closed, dushanbe.overdue, dushanbe.open_cases) == (3, 1, 1, 6)
    assert dushanbe.referrals.get("international", "sent") == 1
    assert dushanbe.referrals.get("legal_aid", "revoked") == 1
    assert dushanbe.barred.get("retraining", "in_training") == 1
    assert dushanbe.barred.get("retraining", "no_result") == 1
    assert dushanbe.helped == {"helped": 2, "total": 3}
    assert khujand.helped == {"helped": 1, "total": 1}
    assert total.helped == {"helped": 3, "total": 4}
    assert total.by_type.total == 8 and total.opened == 4


def test_the_coordinator_sees_every_centre_and_a_supervisor_their_own_without_names(
    client, small_world, coordinator, supervisor_du, consultant_du
):
    url = reverse("helpdesk:case-statistics")
    client.force_login(coordinator)
    page = client.get(url).content.decode()
    assert "All centres" in page and "Раҳимов" not in page
    assert "3 of 4 helped" in page
    client.force_login(supervisor_du)
    page = client.get(url).content.decode()
    assert "All centres" not in page and "2 of 3 helped" in page
    client.force_login(consultant_du)
    assert client.get(url).status_code == 403
    assert client.get(url + "?month=2026-13").status_code == 403


def test_a_month_that_is_not_one_is_an_error_by_its_field(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("helpdesk:case-statistics") + "?month=2026-13")
    assert response.status_code == 400
    assert 'id="id_month-errors"' in response.content.decode()


# --- the coordinator opens a case with a reason --------------------------------------------------


def test_the_coordinator_opens_a_case_only_with_a_reason_which_is_audited(
    client, coordinator, referral_iom, case_du
):
    url = reverse("helpdesk:case-open-with-reason")
    client.force_login(coordinator)
    response = client.post(url, {"number": case_du.number, "reason": "check"})
    assert response.status_code == 400
    assert 'id="id_reason-errors"' in response.content.decode()
    response = client.post(url, {"number": "MSC-DU-2026-999999", "reason": "A complaint came"})
    assert response.status_code == 400
    assert 'id="id_number-errors"' in response.content.decode()
    assert not CaseEvent.objects.filter(kind="coordinator").exists()
    reason = "Complaint from the client to the Ministry, 2026-11-18"
    response = client.post(url, {"number": case_du.number.lower(), "reason": reason})
    assert response.status_code == 200
    page = response.content.decode()
    assert case_du.summary in page and "Фирдавс Раҳимов" in page
    assert "Panic attacks" not in page  # the sensitive details stay out
    event = CaseEvent.objects.get(kind="coordinator")
    assert (event.case, event.user, event.comment) == (case_du, coordinator, reason)
    audit = AuditEvent.objects.get(action="view", object_type="helpdesk.case")
    assert audit.user == coordinator and audit.query == {"reason": reason}


def test_only_the_coordinator_opens_a_case_with_a_reason(client, consultant_du, partner_iom):
    url = reverse("helpdesk:case-open-with-reason")
    for user in (consultant_du, partner_iom, make_user("nobody", None)):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_a_partner_downloads_a_document_only_when_documents_are_shared(
    client, settings, tmp_path, consultant_du, partner_iom, case_du
):
    from django.core.files.base import ContentFile

    from safar.helpdesk.models import CaseDocument

    settings.MEDIA_ROOT = tmp_path
    document = CaseDocument(
        case=case_du,
        title="Labour contract",
        original_name="contract.pdf",
        extension="pdf",
        content_type="application/pdf",
        size=9,
        sha256="ab" * 32,
        uploaded_by=consultant_du,
    )
    document.file.save("contract.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    iom = Office.objects.get(code="IOM-MOW")
    shared, withheld = (
        send_referral(
            case_du, partner=iom, reason="r", shared=items, consent=True, user=consultant_du
        )
        for items in (["documents"], ["summary"])
    )
    client.force_login(partner_iom)
    page = client.get(reverse("helpdesk:referral", args=[shared.pk])).content.decode()
    url = reverse("helpdesk:referral-document", args=[shared.pk, document.pk])
    assert url in page and "Labour contract" in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n"
    assert AuditEvent.objects.filter(
        action="view", object_type="helpdesk.casedocument", object_id=str(document.pk)
    ).exists()
    assert (
        "Labour contract"
        not in client.get(reverse("helpdesk:referral", args=[withheld.pk])).content.decode()
    )
    assert (
        client.get(
            reverse("helpdesk:referral-document", args=[withheld.pk, document.pk])
        ).status_code
        == 404
    )
    answer_referral(shared, "revoke", consultant_du)
    assert client.get(url).status_code == 404
