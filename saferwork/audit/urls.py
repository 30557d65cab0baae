from django.urls import path

from saferwork.audit import views

app_name = "audit"

urlpatterns = [
    path("programme/audit/", views.audit_list, name="list"),
    path("programme/audit/export.csv", views.audit_export, name="export"),
]
