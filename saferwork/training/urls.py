from django.urls import path

from saferwork.training import views

app_name = "training"

urlpatterns = [
    path("training/", views.course, name="course"),
    path("training/enquire/", views.enquire, name="enquire"),
    path("training/enquire/sent/", views.enquiry_sent, name="enquiry_sent"),
    path("training/enquire/verify/<str:token>/", views.verify_enquiry, name="verify_enquiry"),
    path("training/register/<str:token>/", views.register, name="register"),
    path("training/availability/", views.availability, name="availability"),
    path("training/profile/", views.own_profile, name="own_profile"),
    path("training/bookings/", views.bookings, name="bookings"),
    path("training/bookings/<int:pk>/", views.booking, name="booking"),
    path("training/bookings/<int:pk>/slots/new/", views.offer_slot, name="offer_slot"),
    path("training/bookings/<int:pk>/slots/<int:slot_pk>/book/", views.book_slot, name="book_slot"),
    path("training/bookings/<int:pk>/slots/<int:slot_pk>/cancel/", views.cancel_pre_meeting, name="cancel_pre_meeting"),
    path("training/bookings/<int:pk>/checklist/", views.checklist, name="checklist"),
    path("training/bookings/<int:pk>/contact/", views.contact_point, name="contact_point"),
    path("training/bookings/<int:pk>/notes/", views.add_trainer_note, name="trainer_note"),
    path("training/bookings/<int:pk>/messages/", views.post_message, name="post_message"),
    path("training/bookings/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("training/sessions/<int:pk>/", views.session_detail, name="session"),
    path("training/sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("training/sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("training/sessions/<int:pk>/capacity/", views.session_capacity, name="session_capacity"),
    path("training/sessions/<int:pk>/invite.ics", views.session_invite, name="session_invite"),
    path("training/sessions/<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path("training/sessions/<int:pk>/participants/upload/", views.participant_upload, name="participant_upload"),
    path(
        "training/sessions/<int:pk>/participants/<int:participant_pk>/withdraw/",
        views.participant_withdraw,
        name="participant_withdraw",
    ),
    path("training/sessions/<int:pk>/briefing/send/", views.session_send_briefing, name="session_send_briefing"),
    path("training/briefing/", views.briefing, name="briefing"),
    path("training/briefing/download/", views.briefing_download, name="briefing_download"),
    path("programme/enquiries/", views.board, name="board"),
    path("programme/enquiries/<int:pk>/", views.enquiry_detail, name="enquiry"),
    path("programme/enquiries/<int:pk>/match/", views.match, name="match"),
    path("programme/enquiries/<int:pk>/introduce/", views.introduce, name="introduce"),
    path("programme/enquiries/<int:pk>/overview.docx", views.overview_download, name="overview"),
    path("programme/trainers/", views.trainers, name="trainers"),
    path("programme/trainers/<int:pk>/", views.trainer_edit, name="trainer_edit"),
    path("programme/briefing-template/", views.briefing_template, name="briefing_template"),
]
