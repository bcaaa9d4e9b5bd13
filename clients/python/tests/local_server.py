"""A small HTTP server on a free port of 127.0.0.1 for tests that need a server other than a real coordinator."""

import http.server
import threading
from typing import Dict, Optional, Type


class Quiet(http.server.BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers with :meth:`send`."""

    def send(self, status: int, body: bytes = b"", headers: Optional[Dict[str, str]] = None) -> None:
        """Reads the request's body (if any), then answers ``status`` with ``headers`` and ``body``."""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class LocalServer:
    """Serves ``handler`` in a thread until :meth:`close`; ``url`` is its base URL."""

    def __init__(self, handler: Type[http.server.BaseHTTPRequestHandler]) -> None:
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()  # close() in 50 ms

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
