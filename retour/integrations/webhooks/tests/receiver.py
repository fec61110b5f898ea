"""A local webhook receiver for tests: verifies every call with the standardwebhooks library.

It answers ``status`` (200 by default, or the next code of ``script``), records each verified
call (webhook-id, body) and counts the calls whose signature did not verify. ``hold`` makes it
keep the connection open without answering (to kill a sender mid-delivery).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self, secret: str = "") -> None:
        self.secret = secret
        self.calls: list[dict[str, Any]] = []
        self.rejected = 0
        self.script: list[int] = []
        self.hold_first = False
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k: v for k, v in self.headers.items()}
                try:
                    payload = Webhook(receiver.secret).verify(body, headers)
                except WebhookVerificationError:
                    with receiver.lock:
                        receiver.rejected += 1
                    self._answer(400)
                    return
                with receiver.lock:
                    receiver.calls.append(
                        {"id": self.headers["webhook-id"], "payload": payload, "headers": headers}
                    )
                    hold = receiver.hold_first and not receiver.holding.is_set()
                    if hold:
                        receiver.holding.set()
                    code = receiver.script.pop(0) if receiver.script else 200
                if hold:
                    receiver.release.wait(60)
                    return  # the sender is gone: never answer
                self._answer(code)

            def _answer(self, code: int) -> None:
                data = json.dumps({"ok": code < 300}).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def ids(self) -> list[str]:
        with self.lock:
            return [c["id"] for c in self.calls]

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
