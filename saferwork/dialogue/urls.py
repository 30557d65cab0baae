from django.urls import path

from saferwork.dialogue import views

app_name = "dialogue"

urlpatterns = [
    path("dialogue/", views.home, name="home"),
    path("dialogue/cohorts/new/", views.cohort_new, name="cohort_new"),
    path("dialogue/cohorts/<int:pk>/", views.cohort, name="cohort"),
    path("dialogue/cohorts/<int:pk>/members/<int:member_pk>/withdraw/", views.member_withdraw, name="member_withdraw"),
    path("dialogue/cohorts/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("dialogue/cohorts/<int:pk>/community/", views.community, name="cohort_community"),
    path("dialogue/sessions/<int:pk>/", views.session, name="session"),
    path("dialogue/sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("dialogue/sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("dialogue/sessions/<int:pk>/invite.ics", views.session_invite, name="session_invite"),
    path("dialogue/plan/", views.plan, name="plan"),
    path("dialogue/plan/<int:pk>/", views.plan_item, name="plan_item"),
    path("dialogue/plan/<int:pk>/share/", views.plan_item_share, name="plan_item_share"),
    path("dialogue/plan/<int:pk>/promote/", views.plan_item_promote, name="plan_item_promote"),
    path("dialogue/plan/<int:pk>/delete/", views.plan_item_delete, name="plan_item_delete"),
    path("dialogue/coaches/", views.coaches, name="coaches"),
    path("dialogue/coaches/match/", views.coach_match, name="coach_match"),
    path("dialogue/coaches/<int:pk>/stop/", views.coach_stop, name="coach_stop"),
    path("dialogue/coaching/", views.coaching, name="coaching"),
    path("dialogue/coaching/<int:pk>/book/", views.slot_book, name="slot_book"),
    path("dialogue/coaching/<int:pk>/cancel/", views.slot_cancel, name="slot_cancel"),
    path("dialogue/coaching/<int:pk>/invite.ics", views.slot_invite, name="slot_invite"),
    path("dialogue/coaching/<int:pk>/notes/", views.slot_notes, name="slot_notes"),
    path("dialogue/community/", views.community, name="community"),
    path("dialogue/threads/<int:pk>/", views.thread, name="thread"),
    path("dialogue/posts/<int:pk>/report/", views.post_report, name="post_report"),
    path("dialogue/posts/<int:pk>/<str:what>/", views.post_moderate, name="post_moderate"),
    path("dialogue/moderation/", views.moderation, name="moderation"),
]
