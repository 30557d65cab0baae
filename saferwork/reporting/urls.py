from django.urls import path

from saferwork.reporting import views

app_name = "reporting"

urlpatterns = [
    # Reporters: no account.
    path("report/<slug:slug>/", views.start, name="start"),
    path("report/<slug:slug>/support/", views.support, name="support"),
    path("report/<slug:slug>/evidence/", views.evidence, name="evidence"),
    path("report/<slug:slug>/evidence/remove/", views.evidence_remove, name="evidence_remove"),
    path("report/<slug:slug>/check/", views.check, name="check"),
    path("report/<slug:slug>/follow-up/", views.follow_up, name="follow_up"),
    path("report/<slug:slug>/follow-up/case/", views.follow_up_case, name="follow_up_case"),
    path("report/<slug:slug>/follow-up/share/", views.follow_up_share, name="follow_up_share"),
    path("report/<slug:slug>/follow-up/leave/", views.follow_up_leave, name="follow_up_leave"),
    path("report/<slug:slug>/record/", views.record_start, name="record_start"),
    path("report/<slug:slug>/record/mine/", views.record, name="record"),
    path("report/<slug:slug>/record/file/", views.record_file, name="record_file"),
    path("report/<slug:slug>/record/file/<int:file_pk>/", views.record_file_download, name="record_file_download"),
    path("report/<slug:slug>/record/send/", views.record_send, name="record_send"),
    path("report/<slug:slug>/record/delete/", views.record_delete, name="record_delete"),
    path("report/<slug:slug>/<slug:step>/", views.question, name="question"),
    # Handlers.
    path("reporting/", views.case_list, name="case_list"),
    path("reporting/cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("reporting/cases/<int:pk>/status/", views.case_status, name="case_status"),
    path("reporting/cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("reporting/cases/<int:pk>/reply/", views.case_reply, name="case_reply"),
    path("reporting/cases/<int:pk>/note/", views.case_note, name="case_note"),
    path("reporting/cases/<int:pk>/step-aside/", views.case_step_aside, name="case_step_aside"),
    path("reporting/cases/<int:pk>/attachments/<int:attachment_pk>/", views.case_attachment, name="case_attachment"),
    path("reporting/statistics/", views.statistics_page, name="statistics"),
    path("reporting/statistics/export.csv", views.statistics_export, name="statistics_export"),
    path("reporting/settings/", views.reporting_settings, name="settings"),
    path("reporting/keys/recover/", views.recover, name="recover"),
    path("reporting/keys/grant/", views.grant_access, name="grant_access"),
    path("reporting/keys/recovery-key/", views.rotate_recovery_key, name="rotate_recovery_key"),
]
