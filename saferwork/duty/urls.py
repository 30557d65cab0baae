from django.urls import path

from saferwork.duty import views

app_name = "duty"

urlpatterns = [
    path("duty/audits/", views.audits, name="audits"),
    path("duty/audits/compare/", views.compare, name="compare"),
    path("duty/audits/<int:pk>/", views.audit, name="audit"),
    path("duty/audits/<int:pk>/gaps/", views.gaps, name="gaps"),
    path("duty/audits/<int:pk>/gaps/<int:answer_pk>/action/", views.gap_action, name="gap_action"),
    path("duty/audits/<int:pk>/complete/", views.complete, name="complete"),
    path("duty/audits/<int:pk>/items/<str:item_id>/", views.answer, name="answer"),
    path("duty/audits/<int:pk>/items/<str:item_id>/file/", views.answer_file, name="answer_file"),
    path("duty/record/", views.record, name="record"),
    path("duty/record/export.<str:fmt>", views.record_export, name="record_export"),
]
