from django.urls import path

from saferwork.standards import views

app_name = "standards"

urlpatterns = [
    path("standards/", views.home, name="home"),
    path("standards/versions/<int:pk>/", views.read, name="read"),
    path("standards/versions/<int:pk>/acknowledged/", views.acknowledged, name="acknowledged"),
    path("standards/versions/<int:pk>/document.pdf", views.version_file, name="version_file"),
    path("standards/manage/", views.manage, name="manage"),
    path("standards/manage/new/", views.document_new, name="document_new"),
    path("standards/manage/departments/", views.departments, name="departments"),
    path("standards/manage/<int:pk>/", views.document, name="document"),
    path("standards/manage/<int:pk>/versions/new/", views.version_new, name="version_new"),
    path("standards/manage/<int:pk>/ask/", views.ask_more, name="ask_more"),
    path("standards/manage/<int:pk>/remind/", views.remind, name="remind"),
    path("standards/manage/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("standards/manage/drafts/<int:pk>/", views.draft, name="draft"),
    path("standards/manage/drafts/<int:pk>/edit/", views.draft_edit, name="draft_edit"),
    path("standards/manage/drafts/<int:pk>/publish/", views.draft_publish, name="draft_publish"),
    path("standards/manage/drafts/<int:pk>/delete/", views.draft_delete, name="draft_delete"),
    path("standards/report/", views.report, name="report"),
    path("standards/report/acknowledgements.csv", views.report_csv, name="report_csv"),
    path("standards/report/acknowledgements.xlsx", views.report_xlsx, name="report_xlsx"),
]
