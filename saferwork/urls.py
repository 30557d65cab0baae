from urllib.parse import urlencode

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from saferwork.lib.redirects import safe_next

# The admin answers only to a session verified with a second factor.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "SaferWork administration"
admin.site.site_title = "SaferWork admin"
admin.site.login = lambda request, extra_context=None: redirect(  # type: ignore[method-assign]
    f"/account/sign-in/?{urlencode({'next': safe_next(request, '/admin/')})}"
)

urlpatterns = [
    path("", include("saferwork.core.urls")),
    path("", include("saferwork.accounts.urls")),
    path("", include("saferwork.organisations.urls")),
    path("", include("saferwork.audit.urls")),
    path("", include("saferwork.badges.urls")),
    path("", include("saferwork.training.urls")),
    path("", include("saferwork.law.urls")),
    path("", include("saferwork.reporting.urls")),
    path("", include("saferwork.recruitment.urls")),
    path("", include("saferwork.delivery.urls")),
    path("", include("saferwork.reach.urls")),
    path("", include("saferwork.fees.urls")),
    path("", include("saferwork.surveys.urls")),
    path("", include("saferwork.actions.urls")),
    path("", include("saferwork.duty.urls")),
    path("", include("saferwork.risk.urls")),
    path("", include("saferwork.dialogue.urls")),
    path("", include("saferwork.learning.urls")),
    path("", include("saferwork.standards.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "saferwork.core.views.error_403"
handler404 = "saferwork.core.views.error_404"
handler500 = "saferwork.core.views.error_500"
