"""Mandate, agreement and deployment pages, mounted under ``/mandates/`` by ``web.urls``."""

from django.urls import path

from commonground.mandates import views

app_name = "mandates"

urlpatterns = [
    path("", views.index, name="index"),
    path("agreements/<slug:agreement>/", views.agreement_page, name="agreement"),
    path("agreements/<slug:agreement>/scores/", views.scores_page, name="scores"),
    path("agreements/<slug:agreement>/scores.csv", views.scores_csv, name="scores_csv"),
    path("<str:mission>/", views.mission_page, name="mission"),
    path("<str:mission>/diff/", views.diff_page, name="diff"),
    path("<str:mission>/deployments/", views.deployments_page, name="deployments"),
    path("<str:mission>/tasks/<str:task>/", views.task_page, name="task"),
    path("<str:mission>/reviews/", views.reviews_page, name="reviews"),
]
