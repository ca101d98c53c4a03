"""The case pages: who may open what, search before create, a case opened from a contact, the
workflow buttons, notes and documents, the timeline, the overdue list, the lookup's open cases."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safar.core.models import AuditEvent, Office
from safar.helpdesk import cases
from safar.helpdesk.models import Case, CaseDocument, CaseEvent, CaseNote, Contact

NOW = datetime.datetime(2026, 11, 3, 6, 0, tzinfo=datetime.UTC)  # 11:00 in Dushanbe
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW = {
    "open": "1",
    "msc": "MSC-DU",
    "case_type": "family",
    "summary": "Husband in Russia stopped sending money; son at risk of leaving school",
    "categories": ["family/child_school"],
    "assigned_to": "consultant-du",
    "person_relation": "spouse",
    "person_name": "Мавзуна Каримова",
    "person_sex": "F",
    "person_phone": "+992 93 555 1122",
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def case_kh(consultant_kh):
    return Case.objects.create(
        msc=Office.objects.get(code="MSC-KH"),
        case_type=Case.Type.BARRED,
        summary="Entry ban; looking for work at home",
        opened_by=consultant_kh,
    )


def _page(client, url, **kwargs):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en", **kwargs)
    return response, response.content.decode()


# --- who may open what -------------------------------------------------------------------------


def test_another_centres_case_is_not_found_and_not_listed(client, consultant_du, case_du, case_kh):
    client.force_login(consultant_du)
    assert client.get(reverse("helpdesk:case", args=[case_kh.pk])).status_code == 404
    assert client.get(reverse("helpdesk:case", args=[case_du.pk])).status_code == 200
    _response, html = _page(client, reverse("helpdesk:cases"))
    assert case_du.number in html and case_kh.number not in html
    for name in ("helpdesk:case_action", "helpdesk:case_note_add", "helpdesk:case_update"):
        assert client.post(reverse(name, args=[case_kh.pk]), {}).status_code == 404


def test_the_coordinator_sees_the_figures_but_browses_no_cases(client, coordinator, case_du):
    client.force_login(coordinator)
    for url in (
        reverse("helpdesk:cases"),
        reverse("helpdesk:cases_overdue"),
        reverse("helpdesk:case_new"),
        reverse("helpdesk:case", args=[case_du.pk]),
    ):
        assert client.get(url).status_code == 403, url
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("helpdesk:cases")}"' not in home


def test_a_partner_gets_403_on_the_case_pages(client, partner_iom, case_du):
    client.force_login(partner_iom)
    assert client.get(reverse("helpdesk:case", args=[case_du.pk])).status_code == 403
    assert client.get(reverse("helpdesk:cases")).status_code == 403


def test_sensitive_details_and_notes_are_withheld_without_the_permission(
    client, consultant_du, trainee_du, case_du
):
    case_du.health = "Diabetes, no insulin since May"
    case_du.save()
    cases.add_note(case_du, consultant_du, "Panic attacks since the raid.", sensitive=True)
    cases.add_note(case_du, consultant_du, "Employer named: StroyMontazh.")
    client.force_login(trainee_du)
    _response, html = _page(client, reverse("helpdesk:case", args=[case_du.pk]))
    assert "Diabetes" not in html and "Panic attacks" not in html
    assert "StroyMontazh" in html
    assert "withheld" in html
    client.force_login(consultant_du)
    _response, html = _page(client, reverse("helpdesk:case", args=[case_du.pk]))
    assert "Diabetes" in html and "Panic attacks" in html


def test_viewing_a_case_is_in_the_audit(client, consultant_du, case_du):
    client.force_login(consultant_du)
    client.get(reverse("helpdesk:case", args=[case_du.pk]))
    assert AuditEvent.objects.filter(
        action="view", object_type="helpdesk.case", object_id=str(case_du.pk), user=consultant_du
    ).exists()


# --- search before create, and opening -----------------------------------------------------------


def test_search_before_create_is_a_post_and_shows_the_matching_peoples_cases(
    client, consultant_du, case_du
):
    cases.add_person(
        case_du,
        cases.clean_person(
            {"relation": "migrant", "name": "Фирдавс Раҳимов", "phone": "93 123 4567"},
            today=NOW.date(),
        ),
        consultant_du,
    )
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:case_new"),
        {"search": "1", "search_name": "раҳимов"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 person found" in html
    assert reverse("helpdesk:case", args=[case_du.pk]) in html
    assert 'name="person_name" value="раҳимов"' in html  # the new person starts from the search
    response = client.post(reverse("helpdesk:case_new"), {"search": "1", "search_phone": "12"})
    assert response.status_code == 400
    assert 'id="id_search_phone-errors"' in response.content.decode()


def test_a_new_case_is_opened_from_the_form(client, consultant_du):
    client.force_login(consultant_du)
    response = client.post(reverse("helpdesk:case_new"), NEW)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("helpdesk:case", args=[case.pk])
    assert case.assigned_to == consultant_du and case.msc.code == "MSC-DU"
    assert case.people.get().phone == "+992935551122"


def test_a_form_with_errors_names_them_next_to_the_fields_and_opens_nothing(client, consultant_du):
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:case_new"),
        {**NEW, "case_type": "", "person_name": "", "person_school": "left"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("id_case_type", "id_person_name", "id_person_school"):
        assert f'id="{field}-errors"' in html
    assert "Husband in Russia" in html
    assert Case.objects.count() == 0


def test_a_case_is_opened_from_a_logged_conversation_with_the_caller(client, consultant_du):
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:new"),
        {
            "msc": "MSC-DU",
            "channel": "phone",
            "caller_phone": "+7 916 123-45-67",
            "caller_name": "Фирдавс Раҳимов",
            "caller_sex": "M",
        },
    )
    contact = Contact.objects.get()
    assert response["Location"].endswith(f"?channel=phone&contact={contact.pk}")
    _response, html = _page(client, response["Location"])
    link = f"{reverse('helpdesk:case_new')}?contact={contact.pk}"
    assert link in html
    _response, html = _page(client, reverse("helpdesk:contacts"))
    assert link in html
    response, html = _page(client, link)
    assert 'value="Фирдавс Раҳимов"' in html and 'value="+79161234567"' in html
    response = client.post(
        reverse("helpdesk:case_new"),
        {
            **NEW,
            "contact": str(contact.pk),
            "person_name": "Фирдавс Раҳимов",
            "person_phone": "+79161234567",
            "person_relation": "migrant",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.case is not None
    assert contact.case.people.get().caller == contact.caller


# --- the case page -------------------------------------------------------------------------------


def test_the_workflow_buttons_move_the_case_and_errors_show_next_to_the_field(
    client, consultant_du, supervisor_du, case_du
):
    client.force_login(consultant_du)
    url = reverse("helpdesk:case", args=[case_du.pk])
    _response, html = _page(client, url)
    assert 'name="action" value="start_assessment"' in html
    action = reverse("helpdesk:case_action", args=[case_du.pk])
    assert client.post(action, {"action": "start_assessment"}).status_code == 302
    response = client.post(action, {"action": "start_plan"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Write the assessment first." in response.content.decode()
    client.post(
        reverse("helpdesk:case_update", args=[case_du.pk]),
        {"assessment": "Owed four months.", "plan": "Legal consultation."},
    )
    client.post(action, {"action": "start_plan"})
    client.post(action, {"action": "submit_plan"})
    case_du.refresh_from_db()
    assert case_du.status == Case.Status.PLAN_SUBMITTED
    _response, html = _page(client, url)
    assert 'value="approve_plan"' not in html  # not the consultant's step
    client.force_login(supervisor_du)
    response = client.post(action, {"action": "return_plan"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert 'id="id_workflow_comment-errors"' in response.content.decode()
    client.post(action, {"action": "return_plan", "comment": "Name the partner."})
    case_du.refresh_from_db()
    assert case_du.status == Case.Status.PLAN
    assert case_du.events.last().comment == "Name the partner."


def test_people_are_added_and_changed(client, consultant_du, case_du):
    client.force_login(consultant_du)
    response = client.post(
        reverse("helpdesk:case_person_add", args=[case_du.pk]),
        {"new_relation": "child", "new_name": "Нигина", "new_school": "at_risk"},
    )
    assert response.status_code == 302
    person = case_du.people.get()
    edit = reverse("helpdesk:case_person", args=[case_du.pk, person.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"relation": "child", "name": "Нигина", "school": "attending", "location": "TJK"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.school, person.location_id) == ("attending", "TJK")
    response = client.post(edit, {"relation": "parent", "name": "Нигина", "school": "left"})
    assert response.status_code == 400


def test_notes_are_added_with_the_sensitive_flag(client, consultant_du, case_du):
    client.force_login(consultant_du)
    url = reverse("helpdesk:case_note_add", args=[case_du.pk])
    assert client.post(url, {"text": "Panic attacks.", "sensitive": "1"}).status_code == 302
    assert CaseNote.objects.get().sensitive
    assert client.post(url, {"text": "  "}).status_code == 400


def test_documents_are_uploaded_refused_and_downloaded_only_by_who_may_see_the_case(
    client, consultant_du, consultant_kh, case_du, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(consultant_du)
    url = reverse("helpdesk:case_document_add", args=[case_du.pk])
    fake = SimpleUploadedFile("contract.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(url, {"file": fake}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Only PDF, JPEG and PNG" in response.content.decode()
    pdf = SimpleUploadedFile("contract.pdf", PDF, content_type="application/pdf")
    assert client.post(url, {"file": pdf, "title": "Contract"}).status_code == 302
    document = CaseDocument.objects.get()
    download = reverse("helpdesk:case_document", args=[case_du.pk, document.pk])
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(
        action="view", object_type="helpdesk.casedocument", object_id=str(document.pk)
    ).exists()
    client.force_login(consultant_kh)
    assert client.get(download).status_code == 404


def test_the_timeline_on_the_page_is_newest_first(client, consultant_du, case_du, time_machine):
    client.force_login(consultant_du)
    cases.add_note(case_du, consultant_du, "First call to the employer.")
    time_machine.move_to(NOW + datetime.timedelta(hours=1), tick=False)
    client.post(reverse("helpdesk:case_action", args=[case_du.pk]), {"action": "start_assessment"})
    _response, html = _page(client, reverse("helpdesk:case", args=[case_du.pk]))
    timeline = html[html.index('id="timeline"') :]
    assert timeline.index("Start the assessment") < timeline.index("First call to the employer.")


# --- the lists -----------------------------------------------------------------------------------


def test_the_overdue_list_and_the_filters(client, consultant_du, supervisor_du, case_du):
    late = Case.objects.create(
        msc=case_du.msc,
        case_type=Case.Type.MIGRANT,
        summary="Late follow-up",
        follow_up_due=datetime.date(2026, 10, 30),
        assigned_to=supervisor_du,
    )
    Case.objects.create(
        msc=case_du.msc,
        case_type=Case.Type.MIGRANT,
        summary="Due later",
        follow_up_due=datetime.date(2026, 11, 30),
    )
    client.force_login(supervisor_du)
    _response, html = _page(client, reverse("helpdesk:cases_overdue"))
    assert late.number in html and case_du.number not in html and "Due later" not in html
    _response, html = _page(client, reverse("helpdesk:cases") + "?consultant=mine")
    assert late.number in html and case_du.number not in html
    _response, html = _page(client, reverse("helpdesk:cases"))
    assert "3 open cases, 1 of them yours; 1 overdue" in " ".join(html.split())
    # Sorted by the next follow-up: the overdue case first.
    assert html.index(late.number) < html.index("Due later") < html.index(case_du.number)
    _response, html = _page(client, reverse("helpdesk:cases") + "?state=closed&status=bogus")
    assert "0 cases" in html


def test_the_list_takes_a_fixed_number_of_queries_however_many_cases(
    client, consultant_du, case_du
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(consultant_du)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("helpdesk:cases")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(30):
        Case.objects.create(
            msc=case_du.msc, case_type="migrant", summary=f"case {n}", assigned_to=consultant_du
        )
    assert queries() == few


def test_home_shows_my_open_cases_and_the_overdue_count(client, consultant_du, case_du):
    case_du.follow_up_due = datetime.date(2026, 11, 1)
    case_du.save()
    client.force_login(consultant_du)
    _response, html = _page(client, reverse("home"))
    assert case_du.number in html
    assert "1 case of the centre is overdue" in " ".join(html.split())
    assert f'href="{reverse("helpdesk:cases")}"' in html


def test_home_links_a_supervisor_to_the_plans_and_closures_awaiting_approval(
    client, consultant_du, supervisor_du, case_du
):
    Case.objects.filter(pk=case_du.pk).update(status=Case.Status.PLAN_SUBMITTED)
    client.force_login(supervisor_du)
    _response, html = _page(client, reverse("home"))
    text = " ".join(html.split())
    assert "1 plan awaits approval" in text
    assert "0 closures await approval" in text
    assert f'href="{reverse("helpdesk:cases")}?status=plan_submitted"' in html
    client.force_login(consultant_du)  # a consultant approves nothing: no such line
    _response, html = _page(client, reverse("home"))
    assert "awaits approval" not in html


def test_home_links_the_coordinator_to_the_case_figures_and_the_case_with_a_reason(
    client, coordinator
):
    client.force_login(coordinator)
    _response, html = _page(client, reverse("home"))
    section = html[html.index("<h2>Helpdesk</h2>") :]
    assert f'href="{reverse("helpdesk:case-statistics")}"' in section
    assert f'href="{reverse("helpdesk:case-open-with-reason")}"' in section


def test_the_phone_lookup_returns_the_callers_open_cases(client, consultant_du, case_du):
    cases.add_person(
        case_du,
        cases.clean_person(
            {"relation": "migrant", "name": "Фирдавс", "phone": "+7 916 123-45-67"},
            today=NOW.date(),
        ),
        consultant_du,
    )
    client.force_login(consultant_du)
    answer = client.post(reverse("helpdesk:lookup"), {"phone": "+79161234567"}).json()
    assert [c["number"] for c in answer["open_cases"]] == [case_du.number]
    assert answer["open_cases"][0]["url"] == reverse("helpdesk:case", args=[case_du.pk])
    case_du.events.all().delete()
    Case.objects.filter(pk=case_du.pk).update(status=Case.Status.CLOSED, closed_at=NOW)
    answer = client.post(reverse("helpdesk:lookup"), {"phone": "+79161234567"}).json()
    assert answer["open_cases"] == []
    assert CaseEvent.objects.count() == 0
