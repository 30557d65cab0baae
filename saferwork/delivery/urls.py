from django.urls import path

from saferwork.delivery import claim_views, views

app_name = "delivery"

urlpatterns = [
    path("delivery/sessions/", views.sessions, name="sessions"),
    path("delivery/sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("delivery/sessions/<int:pk>/evaluation/", views.results, name="results"),
    path("delivery/follow-up/", views.follow_up, name="follow_up"),
    # Attendees, from the link in their email: no account.
    path("evaluation/thanks/", views.evaluation_thanks, name="evaluation_thanks"),
    path("evaluation/<str:token>/", views.evaluate, name="evaluate"),
    path("badge/claim/<str:token>/", claim_views.claim, name="claim"),
    # Programme admins.
    path("programme/evaluation-form/", views.evaluation_form, name="evaluation_form"),
    path("programme/evaluations/", views.programme_evaluations, name="programme_evaluations"),
    path("programme/follow-ups/", views.follow_ups, name="follow_ups"),
    path("programme/follow-ups/<int:pk>/state/", views.follow_up_state, name="follow_up_state"),
]
