"""The circle, agreement and record-circle pages, mounted at ``/sharing/`` by the root URL map."""

from django.urls import path

from commonground.sharing import views

app_name = "sharing"

urlpatterns = [
    path("circles/", views.circle_list, name="circles"),
    path("circles/<uuid:circle_id>/", views.circle_page, name="circle"),
    path("agreements/", views.agreement_list, name="agreements"),
    path(
        "records/<slug:kind>/<str:record_id>/circle/",
        views.record_circle_page,
        name="record_circle",
    ),
]
