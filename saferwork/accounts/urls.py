from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from saferwork.accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/sign-in/", views.sign_in, name="sign_in"),
    path("account/sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("account/sign-out/", views.sign_out, name="sign_out"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("account/", views.account, name="account"),
    path("account/two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/backup-codes/", views.backup_codes, name="backup_codes"),
    path("account/confirm/", views.sudo, name="sudo"),
    path("account/password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path(
        "account/password/",
        views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("organisation/people/", views.people, name="people"),
]
