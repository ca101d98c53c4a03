"""Article Markdown to safe HTML: rendered with `markdown`, then cleaned by `nh3`.

Editors are trusted staff, but the HTML is still sanitised: one careless paste must not put a
script on a public page. Text between ?? and ?? becomes a visible "to be confirmed" marker.
"""

import re

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "blockquote",
    "code",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "mark",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "mark": {"class", "title"},
    "th": {"align"},
    "td": {"align"},
}
UNCERTAIN = re.compile(r"\?\?(.+?)\?\?", re.S)


LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def _lists_need_no_blank_line(text: str) -> str:
    """Editors write "You must:" and a list on the next line; Markdown wants a blank line
    between them, or the list becomes part of the paragraph. Add it."""
    lines, out = text.splitlines(), []
    for line in lines:
        if (
            LIST_ITEM.match(line)
            and out
            and out[-1].strip()
            and not LIST_ITEM.match(out[-1])
            and not out[-1].startswith((" ", "\t", "|"))
        ):
            out.append("")
        out.append(line)
    return "\n".join(out)


def to_html(text: str) -> str:
    """Markdown → sanitised HTML string (also used by the PDF leaflet)."""
    html = markdown.markdown(
        _lists_need_no_blank_line(text), extensions=["tables", "sane_lists"], output_format="html"
    )
    title = escape(_("To be confirmed"))
    html = UNCERTAIN.sub(
        lambda m: f'<mark class="uncertain" title="{title}">{m.group(1)}</mark>', html
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
    )


def render(text: str) -> SafeString:
    return mark_safe(to_html(text))  # noqa: S308 — cleaned by nh3 just above
