from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from bench.floor.models import Row


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello")


@csrf_exempt  # the floor has no CSRF middleware at all; this only says so
def insert(request: HttpRequest) -> HttpResponse:
    Row.objects.create(value=request.POST.get("value", "")[:100])
    return HttpResponse("Saved", status=201)
