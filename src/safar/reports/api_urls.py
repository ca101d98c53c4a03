from django.urls import re_path

from . import api

app_name = "reports_api"
urlpatterns = [
    re_path(r"^reports/?$", api.report_list, name="list"),
    re_path(r"^reports/(?P<code>[A-Za-z0-9]+)/?$", api.report_data, name="report"),
]
