from django.urls import path

from saferwork.surveys import views

app_name = "surveys"

urlpatterns = [
    # Coordinators.
    path("surveys/", views.survey_list, name="list"),
    path("surveys/questions/", views.items, name="items"),
    path("surveys/<int:pk>/", views.builder, name="builder"),
    path("surveys/<int:pk>/settings/", views.survey_settings, name="settings"),
    path("surveys/<int:pk>/departments/", views.department_add, name="department_add"),
    path("surveys/<int:pk>/departments/<int:department_pk>/remove/", views.department_remove, name="department_remove"),
    path("surveys/<int:pk>/pages/", views.section_add, name="section_add"),
    path("surveys/<int:pk>/pages/<int:section_pk>/remove/", views.section_remove, name="section_remove"),
    path("surveys/<int:pk>/questions/add/", views.question_add, name="question_add"),
    path("surveys/<int:pk>/questions/<int:question_pk>/condition/", views.question_condition, name="condition"),
    path("surveys/<int:pk>/questions/<int:question_pk>/remove/", views.question_remove, name="question_remove"),
    path("surveys/<int:pk>/preview/", views.preview, name="preview"),
    path("surveys/<int:pk>/preview/<int:number>/", views.preview, name="preview_page"),
    path("surveys/<int:pk>/launch/", views.launch, name="launch"),
    path("surveys/<int:pk>/close/", views.close, name="close"),
    path("surveys/<int:pk>/distribution/", views.distribution, name="distribution"),
    path("surveys/<int:pk>/invitations/send/", views.invitations_send, name="invitations_send"),
    path("surveys/<int:pk>/invitations/discard/", views.invitations_discard, name="invitations_discard"),
    path("surveys/<int:pk>/reminders/", views.reminders_send, name="reminders_send"),
    # Leaders.
    path("surveys/results/", views.results_list, name="results_list"),
    path("surveys/<int:pk>/results/", views.results_page, name="results"),
    path("surveys/<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("surveys/<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("surveys/<int:pk>/results.docx", views.results_docx, name="results_docx"),
    path("surveys/<int:pk>/results.pdf", views.results_pdf, name="results_pdf"),
    path("surveys/<int:pk>/comments/", views.comments_review, name="comments"),
    path("surveys/<int:pk>/comments/<uuid:answer_pk>/", views.comment_review, name="comment_review"),
    # Respondents: no account. Everything under /survey/ is private (no log line, no-store).
    path("survey/d/<str:link>/", views.open_link, name="open_link"),
    path("survey/i/<str:token>/", views.invitation, name="invitation"),
    path("survey/answer/", views.answer, name="answer"),
    path("survey/answer/<int:number>/", views.answer, name="answer_page"),
    path("survey/support/", views.support, name="support"),
    path("survey/check/", views.check, name="check"),
    path("survey/done/", views.done, name="done"),
    path("survey/resume/", views.resume, name="resume"),
]
