"""Production settings: everything in settings.py, hardened.

Set ``DJANGO_SETTINGS_MODULE=saferwork.settings_production`` with at least
``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL``. ``manage.py check --deploy``
reports no issues with these.
"""

from saferwork.lib.env import env_bool, env_int, env_str
from saferwork.settings import *  # noqa: F403
from saferwork.settings import DEBUG

if DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DEBUG must be off under saferwork.settings_production.")

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# A load balancer may probe a host over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 63072000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-saferwork_session"
CSRF_COOKIE_NAME = "__Host-csrftoken"
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
