"""The voices pages, mounted at ``/voices/`` by the root URL map."""

from django.urls import path, re_path

from commonground.voices import (
    figures,
    kobo_views,
    offline,
    sms,
    staff,
    themes,
    verification,
    views,
)

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
    re_path(
        r"^(?P<organization>[-\w]+)/sms/(?P<gateway>rapidpro|frontlinesms|telerivet)/$",
        sms.webhook,
        name="sms",
    ),
    path("kobo/", kobo_views.kobo_channels, name="kobo"),
    path("kobo/<uuid:mapping_id>/", kobo_views.kobo_mapping, name="kobo-mapping"),
    path("surveys/", kobo_views.survey_list, name="surveys"),
    path("surveys/<uuid:survey_id>/", kobo_views.survey_detail, name="survey"),
    path("figures/", figures.figures, name="figures"),
    path("figures/<slug:owner>/<slug:table>.csv", figures.figures_csv, name="figures_csv"),
    path("<slug:organization>/<slug:form>/", views.report_form, name="form"),
    path("<slug:organization>/<slug:form>/send/", offline.send, name="form_send"),
    path("<slug:organization>/<slug:form>/sw.js", offline.service_worker, name="form_sw"),
]
