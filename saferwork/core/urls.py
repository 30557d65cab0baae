from django.urls import path

from saferwork.core import health, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("exit/", views.exit_page, name="exit"),
    path("healthz/", views.healthz, name="healthz"),
    path("health/", health.readiness, name="health"),
]
