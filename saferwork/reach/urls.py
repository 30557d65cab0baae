from django.urls import path

from saferwork.reach import views

app_name = "reach"

urlpatterns = [
    path("programme/reach/", views.programme_dashboard, name="programme"),
    path("programme/reach/export.csv", views.programme_export, {"fmt": "csv"}, name="programme_csv"),
    path("programme/reach/export.xlsx", views.programme_export, {"fmt": "xlsx"}, name="programme_xlsx"),
    path("reach/", views.organisation_dashboard, name="organisation"),
    path("reach/export.csv", views.organisation_export, {"fmt": "csv"}, name="organisation_csv"),
    path("reach/export.xlsx", views.organisation_export, {"fmt": "xlsx"}, name="organisation_xlsx"),
    # Participants, with no account: a link emailed to them.
    path("my-data/", views.my_data, name="my_data"),
    path("my-data/<str:token>/", views.my_data_access, name="my_data_access"),
    path("my-data/<str:token>/download.json", views.my_data_download, name="my_data_download"),
]
