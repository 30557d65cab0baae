from django.urls import path

from saferwork.actions import views

app_name = "actions"

urlpatterns = [
    path("actions/", views.hub, name="hub"),
    path("actions/new/", views.create, name="create"),
    path("actions/export.csv", views.export, name="export"),
    path("actions/readers/", views.readers, name="readers"),
    path("actions/readers/<int:grant_pk>/remove/", views.revoke_reader, name="revoke_reader"),
    path("actions/<int:pk>/", views.detail, name="detail"),
    path("actions/<int:pk>/edit/", views.edit, name="edit"),
    path("actions/<int:pk>/status/", views.change_status, name="status"),
    path("actions/<int:pk>/evidence/<str:kind>/add/", views.add_evidence, name="add_evidence"),
    path("actions/<int:pk>/evidence/<int:evidence_pk>/remove/", views.remove_evidence, name="remove_evidence"),
    path("actions/<int:pk>/evidence/<int:evidence_pk>/file/", views.evidence_file, name="evidence_file"),
    path("actions/<int:pk>/delete/", views.delete, name="delete"),
]
