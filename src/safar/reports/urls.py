from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.report_page, name="report"),
    path("<str:code>/download.<str:fmt>", views.download, name="download"),
]
