from django import template

from ..rendering import render

register = template.Library()


@register.filter
def markdown(text: str):
    """Article Markdown as sanitised HTML."""
    return render(text or "")
