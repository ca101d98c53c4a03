"""The case service layer (safar.helpdesk.cases): checked input with every error by field,
one transaction per change, the search before create, documents, the timeline."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from safar.core.models import AuditEvent
from safar.helpdesk import cases
from safar.helpdesk.cases import CaseInvalid
from safar.helpdesk.models import Case, CaseDocument, CaseEvent, CasePerson, Contact
from safar.helpdesk.services import clean_contact, log_contact
from safar.helpdesk.workflow import advance

NOW = datetime.datetime(2026, 11, 3, 6, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 3)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

CASE = {
    "case_type": "migrant",
    "summary": "Wages unpaid for four months in Moscow",
    "categories": ["work/wages_unpaid"],
    "person": {
        "relation": "migrant",
        "name": "Фирдавс Раҳимов",
        "sex": "M",
        "birth_date": "1990-04-05",
        "phone": "93 123 4567",
        "passport": "400 100-200",
    },
}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    with translation.override("en"):
        yield


def _contact(user, phone="+992931234567"):
    data = clean_contact(
        {
            "msc": "MSC-DU",
            "received_at": NOW,
            "channel": "phone",
            "call_type": "data",
            "caller": {"phone": phone, "name": "Фирдавс"},
        },
        user=user,
        now=NOW,
    )
    return log_contact(user=user, data=data)


def test_a_case_is_opened_with_its_first_person_its_event_and_audit(consultant_du):
    data = cases.clean_case({**CASE, "assigned_to": "consultant-du"}, consultant_du, today=TODAY)
    case = cases.open_case(consultant_du, data)
    assert case.msc.code == "MSC-DU" and case.assigned_to == consultant_du
    person = case.people.get()
    assert (person.phone, person.passport) == ("+992931234567", "400100200")
    assert person.name_key == "фирдавс раҳимов"
    assert case.events.get().kind == CaseEvent.Kind.OPENED
    event = AuditEvent.objects.get(action="create", object_type="helpdesk.case")
    assert "Фирдавс" not in str(event.changes)


def test_every_error_is_named_by_field_and_nothing_is_written(consultant_du):
    raw = {
        "msc": "MSC-KH",
        "case_type": "holiday",
        "summary": "",
        "categories": ["work/nothing"],
        "assigned_to": "nobody",
        "person": {
            "relation": "spouse",
            "name": "",
            "phone": "+7 916",
            "passport": "№1",
            "school": "attending",
            "birth_date": "2030-01-01",
            "location": "QQQ",
        },
    }
    with pytest.raises(CaseInvalid) as caught:
        cases.clean_case(raw, consultant_du, today=TODAY)
    assert set(caught.value.fields) == {
        "msc",
        "case_type",
        "summary",
        "categories",
        "person.name",
        "person.phone",
        "person.passport",
        "person.school",
        "person.birth_date",
        "person.location",
    }
    assert Case.objects.count() == CasePerson.objects.count() == 0


def test_a_childs_school_status_is_kept_and_only_a_childs(case_du, consultant_du):
    child = cases.clean_person(
        {"relation": "child", "name": "Нигина", "school": "at_risk"}, today=TODAY
    )
    added = cases.add_person(case_du, child, consultant_du)
    assert added.school == CasePerson.School.AT_RISK
    with pytest.raises(CaseInvalid) as caught:
        cases.clean_person({"relation": "parent", "name": "Ҳасан", "school": "left"}, today=TODAY)
    assert list(caught.value.fields) == ["school"]


def test_a_case_opened_from_a_contact_takes_the_contact_and_its_caller(consultant_du):
    contact = _contact(consultant_du)
    data = cases.clean_case({**CASE, "contact": str(contact.pk)}, consultant_du, today=TODAY)
    case = cases.open_case(consultant_du, data)
    contact.refresh_from_db()
    assert contact.case == case
    assert case.people.get().caller == contact.caller
    # A contact joins one case only.
    with pytest.raises(CaseInvalid) as caught:
        cases.clean_case({**CASE, "contact": str(contact.pk)}, consultant_du, today=TODAY)
    assert "contact" in caught.value.fields


def test_another_centres_contact_cannot_be_taken_into_a_case(consultant_du, consultant_kh):
    contact = Contact.objects.create(
        msc=consultant_kh.office,
        received_at=NOW,
        channel="phone",
        call_type="silent",
    )
    with pytest.raises(CaseInvalid) as caught:
        cases.clean_case({**CASE, "contact": str(contact.pk)}, consultant_du, today=TODAY)
    assert "contact" in caught.value.fields


def test_search_before_create_finds_by_phone_name_or_passport_in_own_centre_only(
    consultant_du, consultant_kh
):
    case = cases.open_case(consultant_du, cases.clean_case(CASE, consultant_du, today=TODAY))
    other = cases.open_case(
        consultant_kh, cases.clean_case({**CASE, "msc": "MSC-KH"}, consultant_kh, today=TODAY)
    )
    for query in ({"phone": "+992 93 123 45 67"}, {"name": "раҳимов"}, {"passport": "400100200"}):
        found = cases.search_people(consultant_du, **query)
        assert [p.case for p in found] == [case]
    assert [p.case for p in cases.search_people(consultant_kh, name="ФИРДАВС")] == [other]
    event = AuditEvent.objects.filter(action="search").first()
    assert "раҳимов" not in str(event.query).lower()
    with pytest.raises(CaseInvalid):
        cases.search_people(consultant_du)
    with pytest.raises(CaseInvalid):
        cases.search_people(consultant_du, phone="12")


def test_a_document_is_kept_by_hash_and_its_type_is_read_from_its_bytes(
    case_du, consultant_du, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("Раҳимов contract.pdf", PDF, content_type="image/png")
    document = cases.add_document(case_du, consultant_du, upload, title="Contract")
    assert (document.extension, document.content_type) == ("pdf", "application/pdf")
    assert "Раҳимов" not in document.file.name and document.file.name.endswith(".pdf")
    assert document.file.read() == PDF
    assert case_du.events.filter(kind=CaseEvent.Kind.DOCUMENT).count() == 1


def test_a_document_that_is_not_pdf_jpeg_or_png_or_too_large_is_refused(
    case_du, consultant_du, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    script = SimpleUploadedFile("contract.pdf", b"<script>alert(1)</script>")
    with pytest.raises(CaseInvalid) as caught:
        cases.add_document(case_du, consultant_du, script)
    assert list(caught.value.fields) == ["file"]
    monkeypatch.setattr(cases, "MAX_DOCUMENT_BYTES", 16)
    with pytest.raises(CaseInvalid) as caught:
        cases.add_document(case_du, consultant_du, SimpleUploadedFile("a.png", PNG))
    assert "larger than" in caught.value.fields["file"][0]
    assert CaseDocument.objects.count() == 0
    assert not case_du.events.exists()


def test_changing_a_person_audits_the_fields_without_their_values(case_du, consultant_du):
    person = cases.add_person(
        case_du,
        cases.clean_person({"relation": "migrant", "name": "Али"}, today=TODAY),
        consultant_du,
    )
    changed = cases.clean_person(
        {"relation": "migrant", "name": "Али Каримов", "passport": "401234567"}, today=TODAY
    )
    cases.change_person(person, changed, consultant_du)
    person.refresh_from_db()
    assert person.passport == "401234567"
    event = AuditEvent.objects.get(action="update", object_type="helpdesk.caseperson")
    assert set(event.changes) == {"name", "passport"}
    assert "401234567" not in str(event.changes)


def test_assigning_a_consultant_of_another_centre_is_refused(case_du, consultant_kh, supervisor_du):
    with pytest.raises(CaseInvalid):
        cases.assign(case_du, consultant_kh, supervisor_du)
    event = cases.assign(case_du, supervisor_du, supervisor_du)
    assert event.kind == CaseEvent.Kind.ASSIGNED
    case_du.refresh_from_db()
    assert case_du.assigned_to == supervisor_du


def test_the_timeline_merges_contacts_notes_and_steps_newest_first(
    case_du, consultant_du, time_machine
):
    contact = _contact(consultant_du)
    contact.case = case_du
    contact.save()
    time_machine.move_to(NOW + datetime.timedelta(hours=1), tick=False)
    cases.add_note(case_du, consultant_du, "Called the employer.")
    time_machine.move_to(NOW + datetime.timedelta(hours=2), tick=False)
    advance(case_du, "start_assessment", consultant_du)
    time_machine.move_to(NOW + datetime.timedelta(hours=3), tick=False)
    cases.add_note(case_du, consultant_du, "Panic attacks since the raid.", sensitive=True)
    entries = cases.timeline(case_du, consultant_du)
    assert [e.what for e in entries] == [
        "Sensitive note",
        "Start the assessment",
        "Note",
        "Contact: phone",
    ]
    assert entries[0].text == "Panic attacks since the raid."
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)


def test_the_timeline_withholds_sensitive_notes_from_those_who_may_not_read_them(
    case_du, consultant_du, trainee_du
):
    cases.add_note(case_du, consultant_du, "Panic attacks since the raid.", sensitive=True)
    (entry,) = cases.timeline(case_du, trainee_du)
    assert entry.withheld and entry.text == ""


def test_update_case_refuses_a_sensitive_field_to_who_may_not_read_it(case_du, trainee_du):
    with pytest.raises(CaseInvalid) as caught:
        cases.update_case(case_du, {"assessment": "ok", "health": "x"}, trainee_du)
    assert list(caught.value.fields) == ["health"]
    case_du.refresh_from_db()
    assert case_du.assessment == ""
    assert cases.update_case(case_du, {"assessment": "ok"}, trainee_du) == ["assessment"]
