"""A real OpenAI-compatible chat server on 127.0.0.1 for tests (subclass ``ChatHandler.reply``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatHandler(BaseHTTPRequestHandler):
    """Records every request body; ``reply(body)`` returns (status, content): text is sent as the reply's
    ``choices[0].message.content``, bytes are sent as the raw response body (errors, malformed replies)."""

    def reply(self, body: dict) -> tuple[int, str | bytes]:
        raise NotImplementedError

    def do_POST(self):  # noqa: N802 (http.server API)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        status, content = self.reply(body)
        if isinstance(content, bytes):
            payload = content
        elif status != 200:
            payload = content.encode()
        else:
            payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout under test)

    def log_message(self, *args):
        pass


@contextmanager
def serve(handler: type[ChatHandler]) -> Iterator[ThreadingHTTPServer]:
    """Run ``handler`` on a free loopback port; the server's ``requests`` list records the bodies."""
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.requests = []
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
