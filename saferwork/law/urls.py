from django.urls import path

from saferwork.law import views

app_name = "law"

urlpatterns = [
    path("programme/law/", views.rule_list, name="rules"),
    path("programme/law/<int:pk>/", views.rule_edit, name="edit"),
]
