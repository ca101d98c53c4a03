from django.urls import path

from . import views

app_name = "capture"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("status.json", views.status, name="status"),  # polled by the scans page
    path("upload/", views.upload, name="upload"),
    path("review/", views.review_next, name="next"),
    path("scans/<int:pk>/", views.review, name="review"),
    path("scans/<int:pk>/page/", views.page_image, name="page"),
    path("scans/<int:pk>/crops/<slug:field>/", views.crop_image, name="crop"),
]
