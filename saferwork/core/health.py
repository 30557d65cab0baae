"""Readiness checks for a load balancer (django-health-check): the database, the cache,
file storage and the age of the task queue.

``/healthz/`` stays the cheapest answer (the process is up and reaches its database);
``/health/`` runs every check and answers 200 or 503 in plain text or JSON. Neither says
anything about the data: a check names its service and, on failure, a generic reason.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from health_check import checks
from health_check.base import HealthCheck, HealthCheckResult
from health_check.exceptions import ServiceUnavailable


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """The oldest task waiting to run must be younger than ``HEALTH_TASK_QUEUE_MAX_AGE``
    seconds: an older one means no worker is taking tasks (emails would stop going out).
    Under the inline backend nothing waits, so the check always passes."""

    def run(self) -> None:
        if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
            return
        from django_tasks_db.models import DBTaskResult

        oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        if oldest is None:
            return
        age = timezone.now() - oldest
        if age > dt.timedelta(seconds=settings.HEALTH_TASK_QUEUE_MAX_AGE):
            raise ServiceUnavailable(f"A task has waited {int(age.total_seconds())} seconds for a worker")


CHECKS: tuple[type[HealthCheck], ...] = (checks.Database, checks.Cache, checks.Storage, TaskQueue)


async def _run_checks() -> list[HealthCheckResult]:
    return list(await asyncio.gather(*(check().get_result() for check in CHECKS)))


@never_cache
@require_GET
def readiness(request: HttpRequest) -> HttpResponse:
    """Every check, run side by side in a thread of its own with its own event loop (so it
    works the same under a sync worker and beside any loop already running); 200 when all
    pass, 503 otherwise, as plain text or (``?format=json``) JSON."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        results = pool.submit(asyncio.run, _run_checks()).result()
    status = 503 if any(result.error for result in results) else 200
    states = {type(result.check).__name__: str(result.error) if result.error else "OK" for result in results}
    if request.GET.get("format") == "json":
        return JsonResponse(states, status=status)
    text = "".join(f"{name}: {state}\n" for name, state in states.items())
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
