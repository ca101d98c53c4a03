from django.urls import path

from . import views

app_name = "helpdesk"

urlpatterns = [
    # The JSON API (/api/helpdesk/…) is the router in api.py, mounted by safar.api.
    path("", views.contacts, name="contacts"),
    path("new/", views.new_contact, name="new"),
    # POST only: a phone number is personal data and stays out of URLs and access logs.
    path("lookup/", views.lookup, name="lookup"),
    # POST only: the stay calculator's answer for the trips typed in the contact form.
    path("ban-check/", views.ban_check, name="ban-check"),
    # POST only: consent, then the client's crossings through the stay calculator.
    path("cases/<int:pk>/crossings/", views.case_crossings, name="case-crossings"),
]
