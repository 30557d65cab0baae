from django.urls import path

from saferwork.fees import views

app_name = "fees"

urlpatterns = [
    path("fees/", views.index, name="index"),
    path("fees/bookings/<int:enquiry_pk>/<str:kind>/new/", views.start, name="start"),
    path("fees/<int:pk>/", views.detail, name="detail"),
    path("fees/<int:pk>/send/", views.send, name="send"),
    path("fees/<int:pk>/paid/", views.paid, name="paid"),
    path("fees/<int:pk>/lines/<int:line_pk>/remove/", views.remove_line, name="remove_line"),
    path("fees/<int:pk>/lines/<int:line_pk>/receipt/", views.receipt, name="receipt"),
    path("fees/<int:pk>/document.docx", views.download, {"fmt": "docx"}, name="docx"),
    path("fees/<int:pk>/document.pdf", views.download, {"fmt": "pdf"}, name="pdf"),
]
