import threading

from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

HEALTH_TIMEOUT = 3.0  # seconds: load balancers give up after a few; answer before they do
_checking = threading.Lock()  # one probe at a time: a hung database does not pile up threads


def database_ping(*, timeout: float = HEALTH_TIMEOUT) -> tuple[str, str]:
    """('', '') when the database answers ``SELECT 1`` within ``timeout``; else (reason, detail).

    The probe runs in a thread of its own with its own connection, so a database that accepts
    connections but never answers costs this request ``timeout`` seconds, not the web server's
    whole request timeout. While a probe is still hanging the next ones answer at once.
    """
    if not _checking.acquire(blocking=False):
        return "database_timeout", "An earlier check of the database has not been answered yet."
    outcome: dict[str, str] = {}

    def probe() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            outcome["ok"] = "1"
        except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
            outcome["error"] = type(exc).__name__
        finally:
            connections["default"].close()
            _checking.release()

    thread = threading.Thread(target=probe, name="retour-healthz", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return "database_timeout", f"The database did not answer within {timeout:g} s."
    if "error" in outcome:
        return "database_unavailable", f"The database refused the check ({outcome['error']})."
    return "", ""


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers; 503 with a JSON reason otherwise, quickly (for load balancers)."""
    reason, detail = database_ping()
    if reason:
        response = JsonResponse({"status": "unavailable", "reason": reason, "detail": detail}, status=503)
        response["Retry-After"] = "5"
        response["Cache-Control"] = "no-store"
        return response
    return JsonResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})
