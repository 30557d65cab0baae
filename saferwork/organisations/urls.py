from django.urls import path

from saferwork.organisations import views

app_name = "organisations"

urlpatterns = [
    path("organisations/switch/", views.switch, name="switch"),
    path("organisation/people/<int:pk>/", views.member, name="member"),
]
