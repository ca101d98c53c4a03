from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    # The JSON API (/api/helpdesk/reports/…) is the router in api.py, mounted by safar.api.
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/figure.csv", views.dashboard_csv, name="dashboard_csv"),
    path("<str:msc>/<str:month>/", views.report_page, name="report"),
    path("<str:msc>/<str:month>/figures/", views.figures, name="figures"),
    path("<str:msc>/<str:month>/action/", views.action, name="action"),
    path("<str:msc>/<str:month>/report.pdf", views.pdf, name="pdf"),
]
