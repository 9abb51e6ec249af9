"""URL map: pages from ``web``, the JSON API under ``/api/v1/``, the admin for registries."""

from django.contrib import admin
from django.urls import include, path

from commonground.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("voices/", include("commonground.voices.urls")),  # community reports (voices app)
    path("sharing/releases/", include("commonground.sharing.release_urls")),  # gate's log
    path("", include("commonground.web.urls")),
]
