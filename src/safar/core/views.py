"""The site shell: a home page composed of what each app offers the user's roles."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .navigation import sections_for


@login_required
def home(request):
    """Each app's home sections that the user's roles allow (see safar.core.navigation); a user
    without any role is told to ask for one."""
    sections = [
        mark_safe(render_to_string(section["template"], section["context"], request=request))
        for section in sections_for(request)
    ]
    return render(request, "core/home.html", {"sections": sections})
