"""The voices pages, mounted at ``/voices/`` by the root URL map."""

from django.urls import path

from commonground.voices import staff, themes, verification, views

app_name = "voices"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<uuid:report_id>/", views.report_detail, name="report"),
    path("inbox/new/", staff.enter_report, name="staff_report"),
    path("inbox/<uuid:report_id>/archive/", staff.archived_copy, name="archive"),
    path("inbox/<uuid:report_id>/verify/", verification.verify, name="verify"),
    path("inbox/themes/", themes.theme_list, name="themes"),
    path("inbox/themes/<uuid:theme_id>/", themes.theme_detail, name="theme"),
    path("answers/<slug:organization>/", themes.public_answers, name="answers"),
    path("receipt/", views.receipt, name="receipt"),
    path("<slug:organization>/<slug:form>/", views.report_form, name="form"),
]
