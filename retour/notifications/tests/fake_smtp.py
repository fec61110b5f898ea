"""A small SMTP server on 127.0.0.1 that speaks just enough of RFC 5321 for Django's backend.

Tests make it slow where real servers are slow (after DATA, at QUIT) to see what the sender does
meanwhile. Every accepted message is kept with its headers.
"""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes
from email.message import Message


class FakeSMTP:
    def __init__(
        self, *, data_delay: float = 0.0, hold_quit: bool = False, quit_delay: float = 0.0, port: int = 0
    ):
        self.data_delay = data_delay
        self.hold_quit = hold_quit
        self.quit_delay = quit_delay
        self.messages: list[Message] = []
        self.got_data = threading.Event()  # a message's body arrived (its answer may be delayed)
        self.got_quit = threading.Event()
        self.release_quit = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> FakeSMTP:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release_quit.set()
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        stream = conn.makefile("rwb")

        def say(line: str) -> None:
            stream.write(line.encode() + b"\r\n")
            stream.flush()

        try:
            say("220 fake ESMTP")
            while True:
                line = stream.readline()
                if not line:
                    return
                verb = line.decode(errors="replace").strip().split(" ")[0].upper()
                if verb in ("EHLO", "HELO"):
                    say("250 fake")
                elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                    say("250 OK")
                elif verb == "DATA":
                    say("354 go ahead")
                    body = b""
                    while (chunk := stream.readline()) not in (b".\r\n", b""):
                        body += chunk[1:] if chunk.startswith(b"..") else chunk
                    self.got_data.set()
                    if self.data_delay:
                        self.stopping.wait(self.data_delay)
                    self.messages.append(message_from_bytes(body))
                    say("250 queued")
                elif verb == "QUIT":
                    self.got_quit.set()
                    if self.hold_quit:
                        self.release_quit.wait(10)
                    elif self.quit_delay:
                        self.stopping.wait(self.quit_delay)
                    say("221 bye")
                    return
                else:
                    say("502 not implemented")
        except OSError:
            return
        finally:
            conn.close()
