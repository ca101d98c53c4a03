from django.urls import path

from . import views

app_name = "helpdesk"

urlpatterns = [
    # The JSON API (/api/helpdesk/…) is the router in api.py, mounted by safar.api.
    path("", views.contacts, name="contacts"),
    path("new/", views.new_contact, name="new"),
    # POST only: a phone number is personal data and stays out of URLs and access logs.
    path("lookup/", views.lookup, name="lookup"),
]
