"""A scripted SMTP server on 127.0.0.1 for the fault tests: every phase of a session (greeting, EHLO, HELO,
STARTTLS, AUTH, MAIL, RCPT, DATA, the end of the message data) answers what the test says, or hangs up, or
stays silent. aiosmtpd (tests/alerts) cannot fail its greeting or EHLO on demand; this server can.

``replies`` maps a phase to a list of answers used for its first calls, then the default answer: a reply line
("451 4.3.0 try later"), ``CLOSE`` (hang up at once) or ``SILENT`` (say nothing; the client times out)."""

from __future__ import annotations

import base64
import socket
import threading
from dataclasses import dataclass, field

CLOSE = "CLOSE"
SILENT = "SILENT"
DEFAULTS = {
    "GREETING": "220 127.0.0.1 ESMTP scripted",
    "HELO": "250 127.0.0.1",
    "STARTTLS": "220 2.0.0 ready",
    "AUTH": "235 2.7.0 authenticated",
    "MAIL": "250 2.1.0 ok",
    "RCPT": "250 2.1.5 ok",
    "DATA": "354 end with <CRLF>.<CRLF>",
    "DOT": "250 2.0.0 accepted",
    "RSET": "250 2.0.0 ok",
    "NOOP": "250 2.0.0 ok",
    "QUIT": "221 2.0.0 bye",
}
MAX_LINE = 1_000_000


@dataclass
class ScriptedSmtp:
    replies: dict[str, list[str]] = field(default_factory=dict)
    extensions: tuple[str, ...] = ("8BITMIME", "SMTPUTF8", "AUTH PLAIN LOGIN")
    timeout_s: float = 10.0
    accepted: list[bytes] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        threading.Thread(target=self._accept_loop, daemon=True).start()

    # ------------------------------------------------------------------ control

    def answer(self, phase: str) -> str:
        with self._lock:
            self.calls[phase] = self.calls.get(phase, 0) + 1
            queue = self.replies.get(phase)
            if queue:
                return queue.pop(0)
            if phase == "EHLO":
                lines = ["127.0.0.1", *self.extensions]
                return "\r\n".join(f"250{'-' if i < len(lines) - 1 else ' '}{x}" for i, x in enumerate(lines))
            return DEFAULTS[phase]

    def close(self) -> None:
        self._stop.set()
        try:
            self._sock.close()
        except OSError:
            pass
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self) -> ScriptedSmtp:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ server

    def _accept_loop(self) -> None:
        self._sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (socket.timeout, TimeoutError):
                continue
            except OSError:
                return
            t = threading.Thread(target=self._session, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _session(self, conn: socket.socket) -> None:
        conn.settimeout(self.timeout_s)
        reader = conn.makefile("rb")
        try:
            if not self._say(conn, self.answer("GREETING")):
                return
            while not self._stop.is_set():
                line = reader.readline(MAX_LINE)
                if not line:
                    return
                verb = line.split(b" ", 1)[0].strip().upper().decode("ascii", "replace")
                if verb == "AUTH":
                    self._auth(line)
                phase = verb if verb in DEFAULTS or verb == "EHLO" else "NOOP"
                reply = self.answer(phase)
                if not self._say(conn, reply):
                    return
                if verb == "QUIT":
                    return
                if verb == "DATA" and reply.startswith("354"):
                    data = self._read_data(reader)
                    reply = self.answer("DOT")
                    if reply.startswith("250"):
                        with self._lock:
                            self.accepted.append(data)
                    if not self._say(conn, reply):
                        return
        except (OSError, ValueError):
            return
        finally:
            reader.close()
            conn.close()

    def _auth(self, line: bytes) -> None:
        parts = line.split()
        if len(parts) >= 3 and parts[1].upper() == b"PLAIN":
            try:
                self.logins.append(base64.b64decode(parts[2]).decode("utf-8", "replace"))
            except ValueError:
                pass

    @staticmethod
    def _read_data(reader) -> bytes:
        chunks = []
        while True:
            line = reader.readline(MAX_LINE)
            if not line or line in (b".\r\n", b".\n"):
                return b"".join(chunks)
            chunks.append(line[1:] if line.startswith(b"..") else line)

    def _say(self, conn: socket.socket, reply: str) -> bool:
        if reply == CLOSE:
            conn.shutdown(socket.SHUT_RDWR)
            return False
        if reply == SILENT:
            self._stop.wait(self.timeout_s)
            return False
        conn.sendall(reply.encode() + b"\r\n")
        return True
