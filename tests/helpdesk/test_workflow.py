"""The case workflow and the referral states: who may take which step, on what condition, and
what each step records."""

import datetime

import pytest
from django.utils import translation

from safar.core.models import Office
from safar.helpdesk.models import Case, CaseEvent, Referral
from safar.helpdesk.workflow import (
    WorkflowError,
    advance,
    answer_referral,
    available_actions,
    send_referral,
)


@pytest.fixture(autouse=True)
def in_english():
    # The messages are matched in English; the interface's default is Tajik.
    with translation.override("en"):
        yield


def _to_plan_submitted(case, consultant):
    advance(case, "start_assessment", consultant)
    case.assessment = "Employer in Moscow owes 4 months; no contract."
    advance(case, "start_plan", consultant)
    case.plan = "Legal consultation; refer to IOM Moscow."
    advance(case, "submit_plan", consultant)


def test_a_case_gets_a_number_with_its_centre_and_year(case_du):
    assert case_du.number == f"MSC-DU-{case_du.opened_at.year}-{case_du.pk:06d}"


def test_the_whole_workflow_with_the_supervisors_approvals(case_du, consultant_du, supervisor_du):
    _to_plan_submitted(case_du, consultant_du)
    assert case_du.status == Case.Status.PLAN_SUBMITTED
    assert "approve_plan" not in available_actions(case_du, consultant_du)
    assert "approve_plan" in available_actions(case_du, supervisor_du)
    advance(case_du, "approve_plan", supervisor_du)
    case_du.follow_up_due = datetime.date(2026, 12, 20)
    advance(case_du, "start_follow_up", consultant_du)
    case_du.closure = Case.Closure.RESOLVED
    advance(case_du, "request_closure", consultant_du)
    advance(case_du, "approve_closure", supervisor_du)
    case_du.refresh_from_db()
    assert case_du.status == Case.Status.CLOSED and case_du.closed_at is not None
    assert list(case_du.events.values_list("action", flat=True)) == [
        "start_assessment",
        "start_plan",
        "submit_plan",
        "approve_plan",
        "start_follow_up",
        "request_closure",
        "approve_closure",
    ]


def test_a_consultant_cannot_approve_a_plan(case_du, consultant_du):
    _to_plan_submitted(case_du, consultant_du)
    with pytest.raises(WorkflowError):
        advance(case_du, "approve_plan", consultant_du)
    assert Case.objects.get(pk=case_du.pk).status == Case.Status.PLAN_SUBMITTED


def test_a_supervisor_does_not_approve_their_own_request(case_du, supervisor_du):
    _to_plan_submitted(case_du, supervisor_du)
    with pytest.raises(WorkflowError, match="Another supervisor"):
        advance(case_du, "approve_plan", supervisor_du)


def test_returning_a_plan_needs_a_comment_and_goes_back_to_the_plan(
    case_du, consultant_du, supervisor_du
):
    _to_plan_submitted(case_du, consultant_du)
    with pytest.raises(WorkflowError) as refused:
        advance(case_du, "return_plan", supervisor_du)
    assert refused.value.field == "comment"
    event = advance(case_du, "return_plan", supervisor_du, "Add the school re-enrolment.")
    assert case_du.status == Case.Status.PLAN
    assert event.comment == "Add the school re-enrolment."


def test_a_plan_is_not_submitted_empty(case_du, consultant_du):
    advance(case_du, "start_assessment", consultant_du)
    with pytest.raises(WorkflowError, match="assessment first"):
        advance(case_du, "start_plan", consultant_du)


def test_a_barred_citizens_case_closes_only_with_its_outcome(consultant_du):
    case = Case.objects.create(
        msc=Office.objects.get(code="MSC-DU"),
        case_type=Case.Type.BARRED,
        summary="Entry ban until 2029",
        opened_by=consultant_du,
    )
    case.closure = Case.Closure.RESOLVED
    with pytest.raises(WorkflowError, match="outcome"):
        advance(case, "request_closure", consultant_du)
    case.barred_outcome = Case.BarredOutcome.IN_TRAINING
    advance(case, "request_closure", consultant_du)
    assert case.status == Case.Status.CLOSURE_REQUESTED


def test_a_stale_case_is_not_saved_over_a_newer_one(case_du, consultant_du):
    stale = Case.objects.get(pk=case_du.pk)
    advance(case_du, "start_assessment", consultant_du)
    with pytest.raises(WorkflowError, match="Someone else"):
        advance(stale, "start_assessment", consultant_du)
    assert CaseEvent.objects.filter(case=case_du).count() == 1


def test_a_referral_without_consent_needs_a_supervisor_and_a_reason(
    case_du, consultant_du, supervisor_du
):
    iom = Office.objects.get(code="IOM-MOW")
    with pytest.raises(WorkflowError) as refused:
        send_referral(
            case_du, partner=iom, reason="Help", shared=[], consent=False, user=consultant_du
        )
    assert refused.value.field == "consent"
    with pytest.raises(WorkflowError) as refused:
        send_referral(
            case_du, partner=iom, reason="Help", shared=[], consent=False, user=supervisor_du
        )
    assert refused.value.field == "consent_note"
    referral = send_referral(
        case_du,
        partner=iom,
        reason="Help",
        shared=["summary"],
        consent=False,
        override_reason="Life at risk; the client cannot be reached.",
        user=supervisor_du,
    )
    assert referral.consent == Referral.Consent.OVERRIDDEN


def test_the_referral_states(case_du, consultant_du, partner_iom, partner_flac):
    iom = Office.objects.get(code="IOM-MOW")
    referral = send_referral(
        case_du,
        partner=iom,
        reason="Recover the wages",
        shared=["summary", "contact"],
        consent=True,
        user=consultant_du,
    )
    assert referral.shared == ["contact", "summary"]
    with pytest.raises(WorkflowError, match="another organisation"):
        answer_referral(referral, "accept", partner_flac)
    with pytest.raises(WorkflowError):
        answer_referral(referral, "accept", consultant_du)
    with pytest.raises(WorkflowError, match="why"):
        answer_referral(referral, "reject", partner_iom)
    answer_referral(referral, "accept", partner_iom)
    answer_referral(referral, "complete", partner_iom, "Wages paid on 2026-12-10.")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DONE and referral.feedback.startswith("Wages")
    assert Referral.objects.visible_to(partner_iom).get() == referral
    assert not Referral.objects.visible_to(partner_flac).exists()


def test_a_revoked_referral_shares_nothing(case_du, consultant_du):
    referral = send_referral(
        case_du,
        partner=Office.objects.get(code="FLAC"),
        reason="Court letter",
        shared=["contact"],
        consent=True,
        user=consultant_du,
    )
    answer_referral(referral, "revoke", consultant_du, "The client changed their mind.")
    assert not referral.shares("contact")


def test_cases_are_seen_only_at_their_own_centre(
    case_du, consultant_du, consultant_kh, coordinator
):
    assert list(Case.objects.visible_to(consultant_du)) == [case_du]
    assert not Case.objects.visible_to(consultant_kh).exists()
    # The coordinator browses no cases (a single one opens with a reason).
    assert not Case.objects.visible_to(coordinator).exists()
