"""URL map: pages from ``web``, the JSON API under ``/api/v1/``, the admin for registries."""

from django.contrib import admin
from django.urls import include, path

from commonground.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("commonground.web.urls")),
]
