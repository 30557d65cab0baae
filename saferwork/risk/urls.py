from django.urls import path

from saferwork.risk import views

app_name = "risk"

urlpatterns = [
    path("risk/", views.register, name="register"),
    path("risk/new/", views.create, name="create"),
    path("risk/<int:pk>/", views.assessment, name="assessment"),
    path("risk/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("risk/<int:pk>/export.<str:fmt>", views.assessment_export, name="assessment_export"),
    path("risk/<int:pk>/share/", views.share, name="share"),
    path("risk/<int:pk>/share/<int:user_pk>/stop/", views.unshare, name="unshare"),
    path("risk/<int:pk>/delete/", views.assessment_delete, name="assessment_delete"),
    path("risk/<int:pk>/review/", views.review, name="review"),
    path("risk/<int:pk>/hazards/new/", views.hazard_new, name="hazard_new"),
    path("risk/hazards/<int:pk>/edit/", views.hazard_edit, name="hazard_edit"),
    path("risk/hazards/<int:pk>/delete/", views.hazard_delete, name="hazard_delete"),
    path("risk/hazards/<int:pk>/controls/new/", views.control_new, name="control_new"),
    path("risk/hazards/<int:pk>/rerate/", views.rerate, name="rerate"),
    path("risk/controls/<int:pk>/edit/", views.control_edit, name="control_edit"),
    path("risk/controls/<int:pk>/delete/", views.control_delete, name="control_delete"),
    path("risk/controls/<int:pk>/action/", views.control_action, name="control_action"),
    path("risk/suggestions/", views.suggestions, name="suggestions"),
    path("risk/suggestions/<int:pk>/", views.decide, name="decide"),
]
