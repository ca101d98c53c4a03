"""Workflows of the guidance app: saving an article keeps a version and an audit record."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from safar.core.models import AuditEvent

from .models import Article, ArticleVersion


class StaleArticle(Exception):
    """Someone saved the article after the editor opened it; saving would lose their change."""

    def __init__(self, latest: int):
        self.latest = latest
        super().__init__(f"article has a newer version {latest}")


def latest_version_number(article: Article) -> int:
    if article.pk is None:
        return 0
    return article.versions.aggregate(n=Max("number"))["n"] or 0


@transaction.atomic
def save_article(
    *, article: Article, editor, note: str = "", based_on: int | None = None
) -> ArticleVersion:
    """Save `article` and keep a copy of it as a new version, recorded in the audit trail.

    `based_on` is the version the editor started from; if a newer one exists, nothing is saved
    and StaleArticle is raised.
    """
    is_new = article.pk is None
    previous = {}
    if not is_new:
        # Lock the row so two editors saving at once get consecutive version numbers.
        current = Article.objects.select_for_update().get(pk=article.pk)
        previous = current.snapshot()
    latest = latest_version_number(article)
    if based_on is not None and based_on != latest:
        raise StaleArticle(latest)
    article.updated_at = timezone.now()
    article.save()
    version = ArticleVersion.objects.create(
        article=article,
        number=latest + 1,
        saved_by=editor,
        note=note[:300],
        content=article.snapshot(),
    )
    changed = {
        name: [f"v{latest}", f"v{latest + 1}"]
        for name in Article.CONTENT_FIELDS
        if previous.get(name) != version.content[name]
    }
    AuditEvent.record(
        user=editor,
        action=AuditEvent.Action.CREATE if is_new else AuditEvent.Action.UPDATE,
        obj=article,
        changes=changed,
    )
    return version
