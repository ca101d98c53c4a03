from django.urls import path

from . import case_views, views, views_referrals

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
    # Services, referrals and figures (views_referrals.py).
    path(
        "cases/<int:pk>/services-referrals/",
        views_referrals.case_work,
        name="case-work",
    ),
    path("cases/<int:pk>/services/", views_referrals.add_service, name="case-service-add"),
    path("cases/<int:pk>/referrals/", views_referrals.send, name="case-referral-send"),
    path("cases/<int:pk>/barred/", views_referrals.barred, name="case-barred"),
    path("cases/statistics/", views_referrals.statistics, name="case-statistics"),
    path(
        "cases/open-with-reason/",
        views_referrals.open_with_reason,
        name="case-open-with-reason",
    ),
    path("referrals/", views_referrals.referrals, name="referrals"),
    path("referrals/<int:pk>/", views_referrals.referral, name="referral"),
    path("referrals/<int:pk>/revoke/", views_referrals.revoke, name="referral-revoke"),
    path(
        "referrals/<int:pk>/documents/<int:document>/",
        views_referrals.referral_document,
        name="referral-document",
    ),
    # Cases. Searches for a person (search before create) are POSTs to the new-case page.
    path("cases/", case_views.case_list, name="cases"),
    path("cases/overdue/", case_views.case_overdue, name="cases_overdue"),
    path("cases/new/", case_views.case_new, name="case_new"),
    path("cases/<int:pk>/", case_views.case_detail, name="case"),
    path("cases/<int:pk>/update/", case_views.case_update, name="case_update"),
    path("cases/<int:pk>/action/", case_views.case_action, name="case_action"),
    path("cases/<int:pk>/assign/", case_views.case_assign, name="case_assign"),
    path("cases/<int:pk>/people/", case_views.person_add, name="case_person_add"),
    path("cases/<int:pk>/people/<int:person_pk>/", case_views.person_edit, name="case_person"),
    path("cases/<int:pk>/notes/", case_views.note_add, name="case_note_add"),
    path("cases/<int:pk>/documents/", case_views.document_add, name="case_document_add"),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/",
        case_views.document_download,
        name="case_document",
    ),
]
