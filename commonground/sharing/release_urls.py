"""The release log pages, mounted at ``/sharing/releases/`` by the root URL map."""

from django.urls import path

from commonground.sharing import release_views

app_name = "sharing_releases"

urlpatterns = [
    path("", release_views.release_log, name="log"),
    path("circles/<uuid:circle_id>/pause/", release_views.pause_circle, name="pause"),
]
