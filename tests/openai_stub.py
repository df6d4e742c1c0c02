"""A scripted OpenAI chat-completions server on 127.0.0.1, for tests (not a test module).

It speaks enough of the protocol for the ``openai`` client (and so ``ChatOpenAI``):
``POST /v1/chat/completions`` answered with a JSON completion, or with server-sent events
when the request says ``"stream": true`` (``data: {chunk}\\n\\n`` with
``choices[0].delta.content``, ending ``data: [DONE]``). Each request takes the next
scripted reply from a queue; the request bodies are recorded so tests can read the prompt.

Usage::

    with OpenAIStub() as stub:
        stub.reply("Tunisia attended [1].")
        model = chat_model_from_settings(stub.base_url, "stub", None, timeout_s=2)
        ...
        stub.requests[0]["messages"]

Scripted replies: ``reply(text)``, ``status(code)`` (401/429/500 with an OpenAI-style
error body), ``sleep(seconds, text)`` (wait before answering, to trip a client timeout),
``malformed(body)`` (a 200 with a broken body), ``break_stream(text, after)`` (stream
``after`` chunks then drop the connection).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Scripted:
    """One scripted reply: ``kind`` is text, status, sleep, malformed or break."""

    kind: str
    text: str = ""
    code: int = 200
    seconds: float = 0.0
    body: str = ""
    after: int = 0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class OpenAIStub:
    """The scripted server; a context manager that starts and stops it.

    Attributes:
        base_url: ``http://127.0.0.1:PORT/v1`` (a free port picked by the OS).
        requests: the JSON bodies received, in order (each with ``messages``, ``model``,
            ``stream``, ...); ``paths`` the request paths; ``headers`` their headers
            (lower-case names).
    """

    def __init__(self) -> None:
        self.queue: deque[Scripted] = deque()
        self.requests: list[dict] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- scripting -------------------------------------------------------------------

    def reply(self, text: str) -> OpenAIStub:
        """Queue a normal reply with ``text`` as the assistant message content."""
        self.queue.append(Scripted("text", text=text))
        return self

    def status(self, code: int, message: str = "scripted error") -> OpenAIStub:
        """Queue an HTTP error (e.g. 401, 429, 500) with an OpenAI-style JSON error body."""
        self.queue.append(Scripted("status", code=code, text=message))
        return self

    def sleep(self, seconds: float, text: str = "late [1]") -> OpenAIStub:
        """Queue a reply sent only after ``seconds`` (interrupted when the stub stops)."""
        self.queue.append(Scripted("sleep", seconds=seconds, text=text))
        return self

    def malformed(self, body: str = '{"choices": [{"message": ') -> OpenAIStub:
        """Queue a 200 response whose body is ``body`` (by default truncated JSON)."""
        self.queue.append(Scripted("malformed", body=body))
        return self

    def break_stream(self, text: str, after: int = 2) -> OpenAIStub:
        """Queue a streamed reply that sends ``after`` chunks of ``text`` then drops the connection."""
        self.queue.append(Scripted("break", text=text, after=after))
        return self

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> OpenAIStub:
        """Start serving on a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake sleeping handlers and close the socket."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIStub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- protocol --------------------------------------------------------------------

    def _next(self) -> Scripted:
        with self._lock:
            if self.queue:
                return self.queue.popleft()
        return Scripted("status", code=500, text="the stub has no scripted reply left")

    def _handler_class(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _json(self, code: int, payload: object) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self._raw(code, data, "application/json")

            def _raw(self, code: int, data: bytes, content_type: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()

            def _chunk(self, data: bytes) -> None:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_unparsed": raw.decode("utf-8", "replace")}
                with stub._lock:
                    stub.paths.append(self.path)
                    stub.headers.append({k.lower(): v for k, v in self.headers.items()})
                    stub.requests.append(body)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                    return
                item = stub._next()
                if item.kind == "sleep":
                    if stub._stopping.wait(item.seconds):
                        return
                if item.kind == "status":
                    self._json(
                        item.code,
                        {"error": {"message": item.text, "type": "scripted", "code": item.code}},
                    )
                    return
                if item.kind == "malformed":
                    self._raw(200, item.body.encode(), "application/json")
                    return
                model = body.get("model", "stub")
                if body.get("stream"):
                    self._stream(model, item)
                else:
                    self._json(200, _completion(model, item.text))

            def _stream(self, model: str, item: Scripted) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                pieces = [p for p in re.split(r"(\s+)", item.text) if p]
                for i, piece in enumerate(pieces):
                    if item.kind == "break" and i >= item.after:
                        # Drop the connection without the terminating chunk.
                        self.close_connection = True
                        self.wfile.flush()
                        self.connection.shutdown(2)
                        return
                    self._chunk(_sse(_chunk_payload(model, piece)))
                    time.sleep(0.001)
                self._chunk(_sse(_chunk_payload(model, None, finish="stop")))
                self._chunk(b"data: [DONE]\n\n")
                self._chunk(b"")  # zero-length chunk ends the body

        return Handler


def _completion(model: str, text: str) -> dict:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk_payload(model: str, piece: str | None, finish: str | None = None) -> dict:
    delta = {} if piece is None else {"content": piece}
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _sse(payload: dict) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"
