"""The voices pages, mounted at ``/voices/`` by the root URL map."""

from django.urls import path

from commonground.voices import views

app_name = "voices"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<uuid:report_id>/", views.report_detail, name="report"),
    path("receipt/", views.receipt, name="receipt"),
    path("<slug:organization>/<slug:form>/", views.report_form, name="form"),
]
