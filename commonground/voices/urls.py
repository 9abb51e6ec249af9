"""The voices pages, mounted at ``/voices/`` by the root URL map."""

from django.urls import path

from commonground.voices import figures, views

app_name = "voices"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<uuid:report_id>/", views.report_detail, name="report"),
    path("receipt/", views.receipt, name="receipt"),
    path("figures/", figures.figures, name="figures"),
    path("figures/<slug:owner>/<slug:table>.csv", figures.figures_csv, name="figures_csv"),
    path("<slug:organization>/<slug:form>/", views.report_form, name="form"),
]
