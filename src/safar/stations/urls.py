from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    # The intake API (/api/stations/…) is the router in api.py, mounted by safar.api.
    path("stations/", views.dashboard, name="dashboard"),
    # Administrators only: register stations (the token shown once) and revoke their tokens.
    path("stations/manage/", views.manage, name="manage"),
    path("stations/manage/add/", views.add, name="add"),
    path("stations/manage/<int:pk>/revoke/", views.revoke, name="revoke"),
]
