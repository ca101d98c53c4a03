from django.urls import path

from . import views

app_name = "crossings"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.enter, name="enter"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
