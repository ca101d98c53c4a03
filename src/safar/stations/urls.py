from django.urls import path

from . import api, views

app_name = "stations"

urlpatterns = [
    path("api/stations/hello", api.hello, name="hello"),
    path("api/stations/upload", api.upload, name="upload"),
    path("api/stations/held/<str:sha256>", api.held, name="held"),
    path("stations/", views.dashboard, name="dashboard"),
]
