from django.urls import path

from saferwork.badges import views

app_name = "badges"

urlpatterns = [
    # Public: no sign-in. Stable URLs: they are written into every signed badge.
    path("badges/issuer.json", views.issuer, name="issuer"),
    path("badges/keys/<str:kid>.json", views.key, name="key"),
    path("badges/jwks.json", views.jwks, name="jwks"),
    path("badges/achievements/<slug:slug>.json", views.achievement, name="achievement"),
    path("badges/status/revocation.jwt", views.status_list, name="status_list"),
    path("badges/verify/", views.verify_form, name="verify"),
    path("badges/<uuid:pk>/", views.detail, name="detail"),
    path("badges/<uuid:pk>/credential.json", views.credential_json, name="credential_json"),
    path("badges/<uuid:pk>/credential.jwt", views.credential_jwt, name="credential_jwt"),
    path("badges/<uuid:pk>/certificate.pdf", views.certificate, name="certificate"),
    # Programme admins.
    path("programme/badges/", views.admin_list, name="admin_list"),
    path("programme/badges/<uuid:pk>/revoke/", views.revoke, name="revoke"),
]
