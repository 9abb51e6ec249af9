"""The alerts pages, mounted at ``/alerts/`` by the root URL map."""

from django.urls import path

from commonground.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("new/", views.alert_new, name="new"),
    path("dashboard/", views.alert_dashboard, name="dashboard"),
    path("dashboard.csv", views.alert_dashboard_csv, name="dashboard_csv"),
    path("<uuid:alert_id>/", views.alert_detail, name="detail"),
    path("<uuid:alert_id>/acknowledge/", views.alert_acknowledge, name="acknowledge"),
    path("<uuid:alert_id>/respond/", views.alert_respond, name="respond"),
    path("<uuid:alert_id>/close/", views.alert_close, name="close"),
]
