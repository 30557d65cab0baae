from django.urls import path

from saferwork.organisations import views

app_name = "organisations"

urlpatterns = [
    path("organisations/switch/", views.switch, name="switch"),
    path("organisation/join-requests/", views.join_requests, name="join_requests"),
    path("organisation/join-requests/<int:pk>/", views.join_request, name="join_request"),
    path("programme/join-requests/", views.programme_join_requests, name="programme_join_requests"),
    path("programme/join-requests/<int:pk>/", views.programme_join_request, name="programme_join_request"),
    path("organisation/people/<int:pk>/", views.member, name="member"),
]
