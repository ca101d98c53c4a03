from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    # Before "<code>/": "pivot" is not a report code.
    path("pivot/", views.pivot, name="pivot"),
    path("pivot/download.<str:fmt>", views.pivot_download, name="pivot_download"),
    path("<str:code>/", views.report_page, name="report"),
    path("<str:code>/download.<str:fmt>", views.download, name="download"),
]
