"""Structured logs: one JSON object per line, with no email address in clear.

Customers' email addresses reach log lines through URLs (``/customers/{email}/store-credit``),
warnings and errors; ``redact`` replaces each with a short stable tag (the same address gives the
same tag, so lines can still be correlated) before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

# an address as typed, or percent-encoded in a URL (%40 for @)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-']+(?:@|%40)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+", re.IGNORECASE)


def _tag(match: re.Match[str]) -> str:
    address = match.group(0).replace("%40", "@").lower()
    return f"[email:{hashlib.sha256(address.encode()).hexdigest()[:10]}]"


def redact(text: str) -> str:
    """``text`` with every email address replaced by ``[email:<hash>]``."""
    return _EMAIL.sub(_tag, text) if ("@" in text or "%40" in text) else text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key in ("store", "return_number", "task", "request_id"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, default=str)


def access_line(
    *, method: str, path: str, query: str, status: int, size: Any, seconds: float, remote: str, agent: str
) -> str:
    """One access-log line as JSON, addresses redacted."""
    return json.dumps(
        {
            "at": datetime.now(UTC).isoformat(),
            "level": "info",
            "logger": "access",
            "method": method,
            "path": redact(path),
            "query": redact(query),
            "status": status,
            "bytes": size,
            "duration_ms": round(seconds * 1000, 1),
            "remote": remote,
            "user_agent": agent[:200],
        }
    )
