"""gunicorn's access log as Retour writes its other logs: JSON lines on standard error,
with email addresses redacted (``retour serve`` passes ``--logger-class`` with this)."""

from __future__ import annotations

import logging
import sys
from typing import Any

from gunicorn.glogging import Logger

from retour.core.logging import access_line


class JsonAccessLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.access_log.handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stdout:
                handler.setStream(sys.stderr)
            handler.setFormatter(logging.Formatter("%(message)s"))

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        try:
            status = int(str(getattr(resp, "status", "0")).split(" ")[0] or 0)
            self.access_log.info(
                "%s",
                access_line(
                    method=environ.get("REQUEST_METHOD", ""),
                    path=environ.get("PATH_INFO", ""),
                    query=environ.get("QUERY_STRING", ""),
                    status=status,
                    size=getattr(resp, "sent", None),
                    seconds=request_time.total_seconds(),
                    remote=environ.get("REMOTE_ADDR", ""),
                    agent=environ.get("HTTP_USER_AGENT", ""),
                ),
            )
        except Exception:  # noqa: BLE001 - a broken log line must not break the response
            self.error("could not write the access log line")
