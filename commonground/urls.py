"""URL map: pages from ``web``, the JSON API under ``/api/v1/``, the admin for registries."""

from django.contrib import admin
from django.urls import include, path

from commonground.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("voices/", include("commonground.voices.urls")),  # community reports (voices app)
    path("sharing/releases/", include("commonground.sharing.release_urls")),  # gate's log
    path("sharing/", include("commonground.sharing.urls")),  # circles and agreements
    path("alerts/", include("commonground.alerts.urls")),  # early warning (alerts app)
    path("learning/", include("commonground.learning.urls")),  # indicators, benchmarks, ToC
    path("", include("commonground.web.urls")),
]
