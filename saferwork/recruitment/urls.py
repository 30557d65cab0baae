from django.urls import path

from saferwork.recruitment import views

app_name = "recruitment"

R = "programme/recruitment/<int:pk>/"

urlpatterns = [
    path("training/become-a-trainer/", views.apply, name="apply"),
    path("training/become-a-trainer/saved/", views.saved, name="saved"),
    path("training/become-a-trainer/submitted/", views.submitted, name="submitted"),
    path("training/become-a-trainer/resume/", views.resume_request, name="resume_request"),
    path("training/become-a-trainer/resume/<str:token>/", views.resume, name="resume"),
    path("training/become-a-trainer/withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("training/become-a-trainer/interview/<str:token>/", views.book, name="book"),
    path("training/agreement/", views.agreement, name="agreement"),
    path("recruitment/panels/", views.panels, name="panels"),
    path("programme/recruitment/", views.rounds, name="rounds"),
    path("programme/recruitment/new/", views.round_new, name="round_new"),
    path(R, views.round_detail, name="round"),
    path(R + "edit/", views.round_edit, name="round_edit"),
    path(R + "criteria/add/", views.criterion_add, name="criterion_add"),
    path(R + "criteria/<int:criterion_pk>/", views.criterion_edit, name="criterion_edit"),
    path(R + "panel/", views.panel, name="panel"),
    path(R + "applications/", views.applications, name="applications"),
    path(R + "applications/bulk/", views.bulk, name="bulk"),
    path(R + "shortlist/agree/", views.agree_shortlist, name="agree_shortlist"),
    path(R + "conflicts/", views.conflicts, name="conflicts"),
    path(R + "applications/<int:app_pk>/", views.application_detail, name="application"),
    path(R + "applications/<int:app_pk>/conflict/", views.conflict, name="conflict"),
    path(R + "applications/<int:app_pk>/moderate/<str:stage>/", views.moderate, name="moderate"),
    path(R + "slots/", views.slots, name="slots"),
    path(R + "slots/send-links/", views.send_booking_links, name="send_booking_links"),
    path(R + "interviews/", views.interviews, name="interviews"),
    path(R + "interviews/schedule.ics", views.schedule_ics, name="schedule_ics"),
    path(R + "interviews/<int:app_pk>/", views.interview_detail, name="interview"),
    path(R + "interviews/<int:app_pk>/reschedule/", views.reschedule, name="reschedule"),
    path(R + "interviews/<int:app_pk>/cancel/", views.cancel, name="cancel"),
    path(R + "interviews/<int:app_pk>/adjustments/", views.adjustments, name="adjustments"),
    path(R + "interviews/<int:app_pk>/decision/", views.decision, name="decision"),
    path(R + "outcomes/", views.outcomes, name="outcomes"),
    path(R + "outcomes/send/", views.send_outcomes, name="send_outcomes"),
    path(R + "report/", views.report, name="report"),
]
