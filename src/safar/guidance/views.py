"""Public guidance pages (no login), the stay calculator, the JSON API, and the editor's pages.

Nothing a visitor types into the calculator is stored or logged: it is personal data the
service does not need to keep.
"""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from safar.core.permissions import permission_required
from safar.core.ratelimit import over_limit

from .access import is_editor
from .bancheck import check
from .bancheck.explain import cite, explain
from .forms import ArticleForm, Calculator
from .models import Article, ArticleVersion, BanRule, HelpContact, Topic, current_rulebook
from .pdf import article_leaflet
from .services import StaleArticle, latest_version_number, save_article

# The public API: at most this many checks per client address per minute (all processes).
API_RATE_LIMIT = 30
API_RATE_WINDOW = 60
API_MAX_BYTES = 64 * 1024


def today() -> date:
    return timezone.localdate()


def _public(request, template: str, context: dict, status: int = 200):
    context = {
        "contacts": HelpContact.objects.all(),
        "can_edit": is_editor(request.user),
        **context,
    }
    return render(request, template, context, status=status)


def guide_index(request):
    query = request.GET.get("q", "").strip()[:100]
    articles = Article.objects.published()
    found = list(articles.search(query)) if query else None
    by_topic = [
        (label, [a for a in articles if a.topic == value]) for value, label in Topic.choices
    ]
    return _public(
        request, "guidance/index.html", {"query": query, "found": found, "by_topic": by_topic}
    )


def _article_for(request, slug: str) -> Article:
    """A published article, or a draft for its editors; 404 otherwise."""
    article = get_object_or_404(Article, slug=slug)
    if not article.published and not is_editor(request.user):
        raise Http404
    return article


def article_detail(request, slug):
    article = _article_for(request, slug)
    return _public(request, "guidance/article.html", {"article": article})


def article_pdf(request, slug):
    article = _article_for(request, slug)
    language = (get_language() or "tg")[:2]
    pdf = article_leaflet(
        article,
        language=language,
        contacts=list(HelpContact.objects.all()),
        url=request.build_absolute_uri(article_url(article)),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{article.slug}-{language}.pdf"'
    return response


def article_url(article: Article) -> str:
    from django.urls import reverse

    return reverse("guidance:article", args=[article.slug])


@require_http_methods(["GET", "POST"])
def calculator(request):
    context = {}
    if request.method == "POST" and request.POST.get("add"):
        form = Calculator.with_row_added(request.POST, request.POST["add"], today=today())
        context["adding"] = True
    elif request.method == "POST":
        form = Calculator(request.POST, today=today())
        context["invalid"] = not form.is_valid()
        if not context["invalid"]:
            result = check(form.case, current_rulebook())
            labels = dict(BanRule.Ground.choices)
            language = (get_language() or "tg")[:2]
            context.update(
                result=result,
                explanation=explain(result, language),
                bans=[
                    {
                        "ban": ban,
                        "label": labels.get(ban.ground, ban.ground),
                        "basis": cite(ban.basis, language),
                    }
                    for ban in result.bans
                ],
                stays=[_stay_view(stay, result.as_of) for stay in result.stays],
            )
    else:
        form = Calculator(today=today())
    context["form"] = form
    return _public(request, "guidance/calculator.html", context)


DAY_ROWS_SHOWN = 400


def _stay_view(stay, as_of: date) -> dict:
    """A stay for the day-by-day table: counted days one a row, permit days as one span."""
    rows = []
    for day in stay.days_list[-DAY_ROWS_SHOWN:]:
        if not day.counted and rows and rows[-1].get("span"):
            rows[-1]["last"] = day.day
        elif not day.counted:
            rows.append({"span": True, "first": day.day, "last": day.day})
        else:
            rows.append({"day": day})
    today_row = next((d for d in stay.days_list if d.day == as_of), None) if stay.ongoing else None
    return {
        "stay": stay,
        "rows": rows,
        "truncated": len(stay.days_list) > DAY_ROWS_SHOWN,
        "today": today_row,
    }


def _rate_limited(request) -> bool:
    """Whether this client address (behind a trusted proxy, the forwarded one) has made more
    than API_RATE_LIMIT checks in the current window; counted in the shared cache."""
    return over_limit(request, "bancheck", limit=API_RATE_LIMIT, window=API_RATE_WINDOW)


# --- editors ---------------------------------------------------------------------------------


@permission_required("guidance.change_article")
def editor_list(request):
    articles = Article.objects.all()
    return render(request, "guidance/editor_list.html", {"articles": articles})


@permission_required("guidance.change_article")
def editor_facts(request):
    """Facts to check: every passage of every article (drafts included) still marked "(?)",
    with its language, so editors can confirm them one by one."""
    languages = dict(settings.LANGUAGES)
    rows = [
        (article, [(lang, languages[lang], passage) for lang, passage in passages])
        for article in Article.objects.all()
        if (passages := article.uncertain_passages())
    ]
    return render(request, "guidance/editor_facts.html", {"rows": rows})


@permission_required("guidance.change_article")
@require_http_methods(["GET", "POST"])
def editor_edit(request, slug=None):
    # A new article is a draft (seen by editors only) until an editor ticks "published".
    article = (
        get_object_or_404(Article, slug=slug)
        if slug
        else Article(last_checked_on=today(), published=False)
    )
    preview = None
    if request.method == "POST":
        form = ArticleForm(request.POST, instance=article)
        if form.is_valid() and "preview" in request.POST:
            preview = _preview(form.save(commit=False))  # shown, not saved
        elif form.is_valid():
            try:
                save_article(
                    article=form.save(commit=False),
                    editor=request.user,
                    note=form.cleaned_data["note"],
                    based_on=form.cleaned_data["based_on"] if slug else None,
                )
            except StaleArticle as stale:
                form.add_error(
                    None,
                    _(
                        "Someone else saved version %(n)s of this article "
                        "after you opened it. Open the article again and "
                        "repeat your change."
                    )
                    % {"n": stale.latest},
                )
            else:
                messages.success(request, _("The article was saved."))
                return redirect("guidance:article", slug=form.instance.slug)
    else:
        form = ArticleForm(instance=article, initial={"based_on": latest_version_number(article)})
    return render(
        request,
        "guidance/editor_edit.html",
        {"form": form, "article": article, "preview": preview},
    )


def _preview(article: Article) -> list[dict]:
    """The article as readers would see it, one entry per language, before it is saved."""
    return [
        {
            "language": lang,
            "name": name,
            "title": getattr(article, f"title_{lang}"),
            "summary": getattr(article, f"summary_{lang}"),
            "body": getattr(article, f"body_{lang}"),  # the template renders it (|markdown)
        }
        for lang, name in settings.LANGUAGES
    ]


@permission_required("guidance.change_article")
def editor_history(request, slug):
    article = get_object_or_404(Article, slug=slug)
    versions = article.versions.select_related("saved_by")
    return render(
        request, "guidance/editor_history.html", {"article": article, "versions": versions}
    )


@permission_required("guidance.change_article")
def editor_diff(request, slug, number):
    article = get_object_or_404(Article, slug=slug)
    version = get_object_or_404(
        ArticleVersion.objects.select_related("saved_by"), article=article, number=number
    )
    older = article.versions.filter(number__lt=number).order_by("-number").first()
    return render(
        request,
        "guidance/editor_diff.html",
        {
            "article": article,
            "version": version,
            "older": older,
            "changes": version.labelled_diff(older),
        },
    )
