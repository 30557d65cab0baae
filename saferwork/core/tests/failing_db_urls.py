"""A URL whose view meets an unreachable database, as every view does while PostgreSQL
restarts (the test raises what psycopg raises through Django)."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path


def database_gone(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def other_fault(request: HttpRequest) -> HttpResponse:
    raise ValueError("a bug")


urlpatterns = [path("gone/", database_gone), path("bug/", other_fault)]
handler500 = "saferwork.core.views.error_500"
