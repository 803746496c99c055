"""The card agent: a small HTTP service on 127.0.0.1 standing in for the NHI card reader
component (健保卡元件) and the MOICA card reader on the person's PC.

Pages of the site call it from JavaScript (CORS, allowed origins only):

    GET  /status                  {"agent": "healthbank cardagent"}
    GET  /nhi                     {"card_number", "name"} of the inserted NHI card
    POST /nhi/sign                {"challenge"} -> {"card_number", "name", "signature"}
    GET  /certificate             {"name"} of the inserted citizen certificate card
    POST /certificate/sign        {"challenge", "pin"} -> {"certificate", "name", "signature"}

Errors are JSON {"code", "message"}: no_card (404), pin_incorrect / pin_locked (403),
card_lost / card_replaced (410: NHIA withdrew the card), bad_request (400).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast

from healthbank.external import cardreader

MAX_BODY = 4096
STATUS = {
    "no_card": 404,
    "pin_incorrect": 403,
    "pin_locked": 403,
    "card_lost": 410,
    "card_replaced": 410,
    "bad_request": 400,
}


class AgentHandler(BaseHTTPRequestHandler):
    server_version = "healthbank-cardagent/1"
    allowed_origins: frozenset[str] = frozenset()

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # requests carry challenges and PINs: never log them

    def _cors(self) -> None:
        origin = self.headers.get("Origin", "")
        if origin in self.allowed_origins:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _origin_refused(self) -> bool:
        # A page on a name rebound to 127.0.0.1 sends its GETs without Origin: check Host too.
        port = cast(ThreadingHTTPServer, self.server).server_port
        if self.headers.get("Host") not in {f"127.0.0.1:{port}", f"localhost:{port}"}:
            self._reply(403, {"code": "host", "message": "Call the agent at 127.0.0.1."})
            return True
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.allowed_origins:
            self._reply(403, {"code": "origin", "message": "This site may not use the card."})
            return True
        return False

    def do_OPTIONS(self):  # noqa: N802 - http.server's naming
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, POST")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")
        self.send_header("Access-Control-Max-Age", "600")
        self.end_headers()

    def do_GET(self):  # noqa: N802
        if self._origin_refused():
            return
        routes = {
            "/status": lambda: {"agent": "healthbank cardagent"},
            "/nhi": cardreader.read_nhi_card,
            "/certificate": cardreader.read_certificate_card,
        }
        self._run(routes.get(self.path))

    def do_POST(self):  # noqa: N802
        if self._origin_refused():
            return
        try:
            # A negative length would read until the client hangs up; refuse it with the rest.
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 <= length <= MAX_BODY:
                raise ValueError
            body = json.loads(self.rfile.read(length) or b"{}")
            challenge = str(body["challenge"])
        except (ValueError, KeyError, TypeError):
            self._reply(400, {"code": "bad_request", "message": "Send JSON with a challenge."})
            return
        routes = {
            "/nhi/sign": lambda: cardreader.sign_with_nhi_card(challenge),
            "/certificate/sign": lambda: cardreader.sign_with_certificate(
                challenge, str(body.get("pin", ""))
            ),
        }
        self._run(routes.get(self.path))

    def _run(self, action) -> None:
        if action is None:
            self._reply(404, {"code": "not_found", "message": "No such path."})
            return
        try:
            self._reply(200, action())
        except cardreader.CardError as exc:
            self._reply(STATUS.get(exc.code, 400), {"code": exc.code, "message": str(exc)})


def make_server(host: str, port: int, allowed_origins: list[str]) -> ThreadingHTTPServer:
    handler = type("Handler", (AgentHandler,), {"allowed_origins": frozenset(allowed_origins)})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def start_in_thread(host: str, port: int, allowed_origins: list[str]) -> ThreadingHTTPServer:
    """Serve in a daemon thread (used by `healthbank demo` and the browser tests)."""
    server = make_server(host, port, allowed_origins)
    threading.Thread(target=server.serve_forever, daemon=True, name="cardagent").start()
    return server
