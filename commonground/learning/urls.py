"""Learning pages, mounted under ``/learning/`` by ``commonground/urls.py``."""

from django.urls import path

from commonground.learning import views

app_name = "learning"

urlpatterns = [
    path("", views.index, name="index"),
    path("benchmarks/", views.benchmarks, name="benchmarks"),
    path("benchmarks/new/", views.benchmark_new, name="benchmark_new"),
    path("benchmarks/edit/<uuid:pk>/", views.benchmark_edit, name="benchmark_edit"),
    path("benchmarks/<str:mission>/", views.benchmarks, name="mission_benchmarks"),
    path("programmes/<slug:slug>/", views.programme_page, name="programme"),
    path("programmes/<slug:slug>/iati.xml", views.iati_export, name="iati"),
    path("indicators/<slug:slug>/", views.indicator_page, name="indicator"),
]
