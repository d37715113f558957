"""Liveness and readiness probes for the load balancer and the orchestrator."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from huey.contrib.djhuey import HUEY

from .decorators import public

logger = logging.getLogger(__name__)


@public
@never_cache
@require_GET
def healthz(request):
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


def _database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        logger.exception("readiness: database unreachable")
        return False


def _queue_ready() -> bool:
    try:
        HUEY.pending_count()  # touches the queue's storage (SQLite file or Redis)
        return True
    except Exception:
        logger.exception("readiness: job queue unreachable")
        return False


@public
@never_cache
@require_GET
def readyz(request):
    """The database and the job queue are reachable; 503 otherwise, naming what is down."""
    checks = {"database": _database_ready(), "queue": _queue_ready()}
    ready = all(checks.values())
    body = {
        "status": "ok" if ready else "unavailable",
        **{k: "ok" if v else "down" for k, v in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)
