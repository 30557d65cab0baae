from django.urls import path

from saferwork.learning import views

app_name = "learning"

urlpatterns = [
    path("learning/", views.home, name="home"),
    path("learning/modules/<int:pk>/", views.module, name="module"),
    path("learning/modules/<int:pk>/start/", views.start, name="start"),
    path("learning/enrolments/<int:pk>/steps/<int:position>/", views.step, name="step"),
    path("learning/enrolments/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("learning/enrolments/<int:pk>/badge/", views.badge, name="badge"),
    path("learning/media/<int:pk>/<str:what>/", views.media, name="media"),
    path("learning/author/", views.author_list, name="author_list"),
    path("learning/author/new/", views.module_new, name="module_new"),
    path("learning/author/<int:pk>/", views.author_module, name="author_module"),
    path("learning/author/<int:pk>/draft/", views.module_draft, name="module_draft"),
    path("learning/author/<int:pk>/publish/", views.module_publish, name="module_publish"),
    path("learning/author/<int:pk>/preview/", views.preview, name="preview_start"),
    path("learning/author/<int:pk>/preview/<int:position>/", views.preview, name="preview"),
    path("learning/author/<int:pk>/steps/new/", views.step_new, name="step_new"),
    path("learning/author/steps/<int:pk>/", views.step_edit, name="step_edit"),
    path("learning/author/steps/<int:pk>/move/", views.step_move, name="step_move"),
    path("learning/author/steps/<int:pk>/delete/", views.step_delete, name="step_delete"),
    path("learning/manage/", views.manage, name="manage"),
    path("learning/manage/<int:pk>/assign/", views.assign, name="assign"),
    path("learning/manage/<int:pk>/open/", views.module_open, name="module_open"),
    path("learning/manage/<int:pk>/assignments/", views.assignments, name="assignments"),
    path("learning/manage/<int:pk>/assignments/<int:enrolment>/remove/", views.unassign, name="unassign"),
    path("learning/report/", views.report, name="report"),
    path("learning/report/export.<str:fmt>", views.report_export, name="report_export"),
]
