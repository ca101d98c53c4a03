from django.urls import path

from . import views

app_name = "guidance"

urlpatterns = [
    path("guide/", views.guide_index, name="index"),
    path("guide/calculator/", views.calculator, name="calculator"),
    path("guide/edit/", views.editor_list, name="editor_list"),
    path("guide/edit/new/", views.editor_edit, name="editor_new"),
    path("guide/edit/facts/", views.editor_facts, name="editor_facts"),
    path("guide/edit/<slug:slug>/", views.editor_edit, name="editor_edit"),
    path("guide/edit/<slug:slug>/history/", views.editor_history, name="editor_history"),
    path("guide/edit/<slug:slug>/history/<int:number>/", views.editor_diff, name="editor_diff"),
    path("guide/<slug:slug>/", views.article_detail, name="article"),
    path("guide/<slug:slug>/leaflet.pdf", views.article_pdf, name="article_pdf"),
]
