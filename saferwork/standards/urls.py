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
    path("standards/report/", views.report, name="report"),
    path("standards/report/acknowledgements.csv", views.report_csv, name="report_csv"),
    path("standards/report/acknowledgements.xlsx", views.report_xlsx, name="report_xlsx"),
]
