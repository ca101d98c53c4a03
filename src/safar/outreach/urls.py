from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    # The JSON API (/api/outreach/…) is the router in api.py, mounted by safar.api.
    path("", views.sessions, name="sessions"),
    path("new/", views.new_session, name="new_session"),
    path("<int:pk>/", views.session, name="session"),
    path("trainings/", views.trainings, name="trainings"),
    path("trainings/new/", views.new_training, name="new_training"),
    path("trainings/gains.csv", views.gains_csv, name="gains_csv"),
    path("trainings/<int:pk>/", views.training, name="training"),
    path("trainings/<int:pk>/trainee/", views.add_trainee_view, name="add_trainee"),  # POST
    path("trainings/<int:pk>/gains.csv", views.training_gains_csv, name="training_gains_csv"),
]
