from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    # The intake API (/api/stations/…) is the router in api.py, mounted by safar.api.
    path("stations/", views.dashboard, name="dashboard"),
]
