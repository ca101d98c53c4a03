"""Outreach pages: the sessions list, the light session form for a phone in a jamoat, and the
trainings with each topic's average knowledge gain (shown and as CSV)."""

from __future__ import annotations

import csv
import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from safar.core.dates import parse_iso_date
from safar.core.models import AuditEvent, District, Office

from .access import can_record, organisations_for, require_read
from .models import Question, Score, Session, Sex, TopicGain, Trainee, Training
from .services import (
    OutreachInvalid,
    add_trainee,
    bank_sizes,
    clean_session,
    clean_trainee,
    clean_training,
    record_session,
    record_training,
)

LIST_LIMIT = 200
# Partner organisations a session is held with: the outside organisations and the state's own
# services that are not the organisations recording sessions.
PARTNER_KINDS = (
    Office.Kind.EMPLOYMENT_OFFICE,
    Office.Kind.TRAINING_CENTRE,
    Office.Kind.LEGAL_AID,
    Office.Kind.NGO,
    Office.Kind.EMBASSY,
    Office.Kind.INTERNATIONAL,
)


def _month(request: HttpRequest, visible) -> tuple[datetime.date, datetime.date, str]:
    """The month asked for (?month=YYYY-MM); otherwise the month of the latest session the user
    may see (on the 1st, this month would show nothing yet), or this month when there is none:
    first and last day, and an error message for a month that could not be read."""
    text = request.GET.get("month", "")
    latest = visible.aggregate(latest=Max("held_on"))["latest"] or timezone.localdate()
    try:
        first = parse_iso_date(f"{text}-01") if text else latest.replace(day=1)
        error = ""
    except ValueError:
        first, error = latest.replace(day=1), _("Give a month as YYYY-MM.")
    return first, _next_month(first) - datetime.timedelta(days=1), error


def _next_month(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=31)).replace(day=1)


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    """A month's sessions the user may see, latest first, counted by kind (as the monthly
    report's M11), with the hotline calls a radio or TV programme brought."""
    require_read(request.user)
    visible = Session.objects.visible_to(request.user)
    first, last, error = _month(request, visible)
    found = visible.held_between(first, last)
    rows = found.select_related("org", "district").prefetch_related("topics")[:LIST_LIMIT]
    kinds = dict(Session.Kind.choices)
    return render(
        request,
        "outreach/sessions.html",
        {
            "sessions": [(s, s.hotline_calls()) for s in rows],
            "by_kind": [{**row, "label": kinds[row["kind"]]} for row in found.by_kind()],
            "month": f"{first:%Y-%m}",
            "previous": f"{first - datetime.timedelta(days=1):%Y-%m}",
            "next": f"{_next_month(first):%Y-%m}",
            "error": error,
            "limit": LIST_LIMIT,
            "can_record": can_record(request.user),
        },
    )


def _raw_from_post(request: HttpRequest) -> dict[str, Any]:
    """The form's fields in the API's shape, for `clean_session`."""
    post = request.POST
    return {
        "org": post.get("org", ""),
        "held_on": post.get("held_on", ""),
        "kind": post.get("kind", ""),
        "district": post.get("district", ""),
        "jamoat": post.get("jamoat", ""),
        "topics": post.getlist("topics"),
        "partners": post.getlist("partners"),
        "participants": {sex: post.get(f"participants_{sex}", "") for sex in ("F", "M")},
        "materials": {kind: post.get(f"materials_{kind}", "") for kind in Session.MATERIALS},
        "programme": post.get("programme", ""),
        "notes": post.get("notes", ""),
    }


def _form_context(request: HttpRequest) -> dict:
    from safar.helpdesk.models import Category

    groups = Category.objects.filter(parent__isnull=True, active=True).prefetch_related(
        Prefetch("children", queryset=Category.objects.filter(active=True))
    )
    return {
        "organisations": list(organisations_for(request.user, "outreach.add_session")),
        "kinds": Session.Kind.choices,
        "districts": District.objects.select_related("region").order_by("region", "name_en"),
        "groups": groups,
        "partners": Office.objects.filter(kind__in=PARTNER_KINDS),
    }


MATERIAL_LABELS = {
    "booklet": gettext_lazy("Booklets"),
    "flyer": gettext_lazy("Flyers"),
    "film_showing": gettext_lazy("Film showings"),
    "poster": gettext_lazy("Posters"),
}


@login_required
def new_session(request: HttpRequest) -> HttpResponse:
    """Record a session: one light page, no script needed to send it. A small script keeps a
    draft of what is typed on the phone (localStorage) until the server says it is saved."""
    if not can_record(request.user):
        raise PermissionDenied
    values: Any = {}
    errors: dict = {}
    saved = None
    saved_url = ""
    if request.method == "POST":
        try:
            data = clean_session(
                _raw_from_post(request), user=request.user, today=timezone.localdate()
            )
        except OutreachInvalid as exc:
            # "participants.F" → "participants_F": the form's field names.
            errors = {name.replace(".", "_"): found for name, found in exc.fields.items()}
            values = request.POST
        else:
            session = record_session(user=request.user, data=data)
            messages.success(
                request,
                _("Saved: %(kind)s on %(date)s, %(people)s taking part.")
                % {
                    "kind": session.get_kind_display(),
                    "date": session.held_on.isoformat(),
                    "people": session.participants,
                },
            )
            # The next page tells the draft script to forget the saved form.
            return redirect(f"{request.path}?saved={session.pk}")
    else:
        values = {"held_on": timezone.localdate().isoformat()}
        saved = request.GET.get("saved", "")[:12] or None
        if saved and saved.isdigit():
            # A link to what was just saved (when it is one the user may see).
            shown = Session.objects.visible_to(request.user).filter(pk=int(saved)).exists()
            saved_url = reverse("outreach:session", args=[int(saved)]) if shown else ""
    context = _form_context(request)
    context |= {
        "values": values,
        "errors": errors,
        "saved": saved,
        "saved_url": saved_url,
        "selected_topics": request.POST.getlist("topics") if errors else [],
        "selected_partners": request.POST.getlist("partners") if errors else [],
        "material_fields": [
            (name, label, values.get(name, ""), errors.get(name, []))
            for name, label in (
                (f"materials_{kind}", label) for kind, label in MATERIAL_LABELS.items()
            )
        ],
    }
    return render(request, "outreach/new_session.html", context, status=400 if errors else 200)


@login_required
def session(request: HttpRequest, pk: int) -> HttpResponse:
    """One session with all that was recorded: where, topics, partners, people by sex,
    materials, notes; for radio and TV the hotline calls of the day and the next."""
    require_read(request.user)
    found = get_object_or_404(
        Session.objects.visible_to(request.user)
        .select_related("org", "district", "created_by")
        .prefetch_related("topics", "partners"),
        pk=pk,
    )
    return render(
        request,
        "outreach/session.html",
        {
            "session": found,
            "calls": found.hotline_calls(),
            "materials": [(MATERIAL_LABELS[kind], n) for kind, n in found.materials().items()],
            "month": f"{found.held_on:%Y-%m}",
            "can_record": can_record(request.user),
        },
    )


def _trainings_for(request: HttpRequest):
    return Training.objects.visible_to(request.user)


@login_required
def trainings(request: HttpRequest) -> HttpResponse:
    """The trainings the user may see, and each topic's average gain over all of them."""
    require_read(request.user)
    found = _trainings_for(request)
    rows = found.select_related("org").prefetch_related("topics")[:LIST_LIMIT]
    gains = TopicGain.of(Score.objects.filter(trainee__training__in=found))
    return render(
        request,
        "outreach/trainings.html",
        {"trainings": rows, "gains": gains, "can_record": can_record(request.user)},
    )


def _may_add_trainees(user, training: Training) -> bool:
    return organisations_for(user, "outreach.add_training").filter(pk=training.org_id).exists()


def _training_page(request: HttpRequest, found: Training, *, values=None, errors=None, status=200):
    topics = list(found.topics.all())
    trainees = Trainee.objects.filter(training=found).prefetch_related("scores")
    table = [(t, {s.topic_id: s for s in t.scores.all()}) for t in trainees]
    questions = Question.objects.filter(topic__in=topics, active=True).prefetch_related("choices")
    values = values or {}
    errors = errors or {}
    sizes = bank_sizes(topics)
    AuditEvent.record(user=request.user, action=AuditEvent.Action.VIEW, obj=found)
    return render(
        request,
        "outreach/training.html",
        {
            "training": found,
            "topics": topics,
            "rows": [(t, [scores.get(topic.code) for topic in topics]) for t, scores in table],
            "gains": found.gains(),
            "questions": questions,
            "can_add": _may_add_trainees(request.user, found),
            "values": values,
            "errors": errors,
            "sexes": Sex.choices,
            # Per topic with questions: (topic, questions, [(phase, name, value, errors)]).
            "score_fields": [
                (
                    topic,
                    sizes[topic.code],
                    [
                        (
                            phase,
                            f"scores.{topic.code}.{phase}",
                            values.get(f"scores.{topic.code}.{phase}", ""),
                            errors.get(f"scores.{topic.code}.{phase}", []),
                        )
                        for phase in ("before", "after")
                    ],
                )
                for topic in topics
                if sizes[topic.code]
            ],
        },
        status=status,
    )


@login_required
def training(request: HttpRequest, pk: int) -> HttpResponse:
    """One training: its trainees with their scores, each topic's average gain, and the
    knowledge check's questions (the trainees' names are personal data: the view is audited)."""
    require_read(request.user)
    found = get_object_or_404(_trainings_for(request).select_related("org", "district"), pk=pk)
    return _training_page(request, found)


@login_required
@require_POST
def add_trainee_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a trainee with their right answers before and after, topic by topic."""
    require_read(request.user)
    found = get_object_or_404(_trainings_for(request).select_related("org", "district"), pk=pk)
    if not _may_add_trainees(request.user, found):
        raise PermissionDenied
    post = request.POST
    scores = {}
    for topic in found.topics.all():
        pair = {
            phase: post.get(f"scores.{topic.code}.{phase}", "") for phase in ("before", "after")
        }
        if any(value.strip() for value in pair.values()):  # a topic left empty was not checked
            scores[topic.code] = pair
    raw = {name: post.get(name, "") for name in ("name", "organisation", "position", "sex")}
    try:
        data, sizes = clean_trainee(found, {**raw, "scores": scores})
    except OutreachInvalid as exc:
        return _training_page(request, found, values=post, errors=exc.fields, status=400)
    trainee = add_trainee(user=request.user, training=found, data=data, sizes=sizes)
    messages.success(request, _("Added: %(name)s.") % {"name": trainee.name})
    return redirect(reverse("outreach:training", args=[found.pk]) + "#add-trainee")


def _topic_groups():
    """The topics a training may have: the category groups with questions in the bank."""
    from safar.helpdesk.models import Category

    with_questions = Question.objects.filter(active=True).values("topic")
    return Category.objects.filter(parent__isnull=True, active=True, pk__in=with_questions)


@login_required
def new_training(request: HttpRequest) -> HttpResponse:
    """Record a training: its organisation, dates, place and topics; trainees are added on its
    page next."""
    if not can_record(request.user):
        raise PermissionDenied
    values: Any = {"starts_on": timezone.localdate().isoformat()}
    errors: dict = {}
    if request.method == "POST":
        post = request.POST
        raw: dict[str, Any] = {
            name: post.get(name, "") for name in ("org", "title", "starts_on", "ends_on")
        }
        raw |= {
            "district": post.get("district", ""),
            "notes": post.get("notes", ""),
            "topics": post.getlist("topics"),
        }
        try:
            data = clean_training(raw, user=request.user, today=timezone.localdate())
        except OutreachInvalid as exc:
            errors, values = exc.fields, post
        else:
            found = record_training(user=request.user, data=data)
            return redirect("outreach:training", pk=found.pk)
    return render(
        request,
        "outreach/new_training.html",
        {
            "organisations": list(organisations_for(request.user, "outreach.add_training")),
            "districts": District.objects.select_related("region").order_by("region", "name_en"),
            "topic_groups": _topic_groups(),
            "selected_topics": request.POST.getlist("topics") if errors else [],
            "values": values,
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _gains_csv(gains: list[TopicGain], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["topic", "name", "trainees", "before_pct", "after_pct", "gain_pct"])
    for g in gains:
        writer.writerow(
            [
                g.topic,
                g.name,
                g.trainees,
                f"{g.before_pct:.1f}",
                f"{g.after_pct:.1f}",
                f"{g.gain_pct:.1f}",
            ]
        )
    return response


@login_required
def gains_csv(request: HttpRequest) -> HttpResponse:
    """Every visible training's average gain per topic, as CSV (no names: figures only)."""
    require_read(request.user)
    found = _trainings_for(request)
    return _gains_csv(
        TopicGain.of(Score.objects.filter(trainee__training__in=found)), "training-gains.csv"
    )


@login_required
def training_gains_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """One training's average gain per topic, as CSV."""
    require_read(request.user)
    found = get_object_or_404(_trainings_for(request), pk=pk)
    return _gains_csv(found.gains(), f"training-{found.pk}-gains.csv")
