"""The gallery's transport: connections, deadlines, sizes and concurrency; nothing of what a
request asks for.

One thread (``RequestReader``) waits for every connection's request head, and a form's body,
without blocking on any of them; only a whole request (one the server's ``screen`` lets through:
the guard's token check) gets a handler thread, so clients that send slowly or not at all cost a
socket, never a slot of a real request. A head must arrive whole within ``request_timeout``
seconds, a body within as long again (no keep-alive: one request per connection); at most
``max_pending`` connections wait so (the oldest is closed for a new one). A head is at most
``MAX_REQUEST_HEAD`` bytes (431), a form's body ``MAX_BODY``. At most ``max_handlers`` requests
are handled at once; a whole request waits up to ``SLOT_WAIT_S`` for a slot (a client that had
its answer can ask again before the handler that sent it has let its slot go) and is then answered
503 and closed; every socket operation of a handler times out after ``io_timeout``.
"""

from __future__ import annotations

import contextlib
import io
import selectors
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_REQUEST_HEAD = 16 * 1024  # request line and headers
MAX_BODY = 256 * 1024  # a form: naming a cluster of 5000 faces is ~60 KB
SLOT_WAIT_S = 0.25  # a whole request waits at most this long for a handler slot, then 503


def plain_response(status: int, message: str, extra: str = "") -> bytes:
    """A whole HTTP response with a one-line text body, for answers sent before any handler runs."""
    body = message.encode("ascii") + b"\n"
    return (f"HTTP/1.0 {status} {HTTPStatus(status).phrase}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"X-Content-Type-Options: nosniff\r\nCross-Origin-Resource-Policy: same-origin\r\nCache-Control: no-store\r\n"
            f"{extra}Connection: close\r\nContent-Length: {len(body)}\r\n\r\n").encode("ascii") + body


def _head_end(buf: bytearray) -> int | None:
    ends = [i + n for i, n in ((buf.find(b"\r\n\r\n"), 4), (buf.find(b"\n\n"), 2)) if i >= 0]
    return min(ends) if ends else None


@dataclass(frozen=True)
class Head:
    method: str
    target: str  # as sent: path and query
    headers: Message


def parse_head(head: bytes) -> Head | None:
    """The method, target and headers of a request head; None when it is not one."""
    import http.client

    line, _, rest = head.partition(b"\n")
    words = line.decode("iso-8859-1").split()
    if len(words) != 3:
        return None
    try:
        headers = http.client.parse_headers(io.BytesIO(rest.lstrip(b"\r") + b"\r\n"))
    except (http.client.HTTPException, ValueError):
        return None
    return Head(words[0], words[1], headers)


@dataclass
class Receiving:
    """A connection whose request is still arriving."""

    sock: socket.socket
    address: tuple
    deadline: float  # monotonic: the head (then the body) must be whole by then
    buf: bytearray
    head_end: int | None = None
    body_length: int = 0  # a form's Content-Length, once the head is whole


class RequestReader:
    """One thread that receives, without blocking on any of them, the request head (and a form's
    body) of every new connection, then hands the whole request to a handler thread: only then is a
    slot of ``max_handlers`` spent, and only on a request the server's ``screen`` lets through (the
    guard's: with the token, where one is set). A client that sends slowly, or nothing, holds a
    socket here until its deadline; at most ``max_pending`` do (the one waiting longest is closed to
    make room)."""

    def __init__(self, server: GalleryServer):
        self.server = server
        self.selector = selectors.DefaultSelector()
        self.waiting: dict[socket.socket, Receiving] = {}
        self.queued: deque[tuple[Receiving, bytes, bytes, float]] = deque()  # whole, waiting for a slot, first come first
        self.incoming: list[tuple[socket.socket, tuple]] = []
        self.lock = threading.Lock()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_w.setblocking(False)
        self.selector.register(self.wake_r, selectors.EVENT_READ)
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="gallery-request-reader", daemon=True)
        self.thread.start()

    def add(self, sock: socket.socket, address: tuple) -> None:
        """A connection just accepted (from the accepting thread)."""
        with self.lock:
            self.incoming.append((sock, address))
        self.wake()

    def stop(self) -> None:
        self.stopped = True
        self.wake()

    def wake(self) -> None:
        """Look again now (a connection came, a slot was let go, the server stops)."""
        with contextlib.suppress(OSError):
            self.wake_w.send(b"\0")

    def _run(self) -> None:
        try:
            while not self.stopped:
                soonest = min([r.deadline for r in self.waiting.values()] + [self.queued[0][3]] if self.queued else [],
                              default=time.monotonic() + 1.0)
                for key, _ in self.selector.select(max(0.0, min(1.0, soonest - time.monotonic()))):
                    if key.fileobj is self.wake_r:
                        with contextlib.suppress(OSError):
                            self.wake_r.recv(4096)
                    else:
                        try:
                            self._receive(key.fileobj)
                        except Exception as exc:  # noqa: BLE001 - a bug: that connection closed, every other served
                            print(f"plvm-photos serve: error receiving a request: {exc!r}", file=sys.stderr)
                            self._close(key.fileobj)
                self._take_incoming()
                self._hand_over_queued()
                now = time.monotonic()
                for late in [r.sock for r in self.waiting.values() if r.deadline <= now]:
                    self._close(late)  # too slow: closed without a word
        finally:
            for sock in list(self.waiting) + [q[0].sock for q in self.queued]:
                self._close(sock)
            self.selector.close()
            self.wake_r.close()
            self.wake_w.close()

    def _take_incoming(self) -> None:
        with self.lock:
            incoming, self.incoming = self.incoming, []
        for sock, address in incoming:
            while len(self.waiting) >= self.server.max_pending:
                self._close(next(iter(self.waiting)))  # the one waiting longest (dicts keep their order)
            try:
                sock.setblocking(False)
                self.selector.register(sock, selectors.EVENT_READ)
            except (OSError, ValueError):
                self.server.shutdown_request(sock)
                continue
            self.waiting[sock] = Receiving(sock, address, time.monotonic() + self.server.request_timeout, bytearray())

    def _receive(self, sock: socket.socket) -> None:
        r = self.waiting.get(sock)
        if r is None:
            return
        try:
            chunk = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._close(sock)
            return
        r.buf += chunk
        if r.head_end is None:
            r.head_end = _head_end(r.buf)
            if r.head_end is None and len(r.buf) <= MAX_REQUEST_HEAD:
                return
            if r.head_end is None or r.head_end > MAX_REQUEST_HEAD:
                self._answer(sock, plain_response(431, "request head too large"))
                return
            r.body_length = self._form_length(bytes(r.buf[: r.head_end]))
            r.deadline = time.monotonic() + self.server.request_timeout  # a body within as long again
        if len(r.buf) - r.head_end >= r.body_length:
            self._dispatch(r)

    @staticmethod
    def _form_length(head: bytes) -> int:
        """The body to receive before handling: a POST's Content-Length when it is one the handler
        reads (any other is answered by the handler at once)."""
        parsed = parse_head(head)
        if parsed is None or parsed.method != "POST":
            return 0
        length = (parsed.headers.get("Content-Length") or "").strip()
        return int(length) if length.isdigit() and int(length) <= MAX_BODY else 0

    def _dispatch(self, r: Receiving) -> None:
        self._forget(r.sock)
        head, rest = bytes(r.buf[: r.head_end]), bytes(r.buf[r.head_end:])
        if self.server.screen is not None:
            refused = self.server.screen(parse_head(head))
            if refused is not None:
                self._answer(r.sock, refused, forgotten=True)
                return
        if len(self.queued) >= self.server.max_handlers:
            self.server.refuse_busy(r.sock)
            return
        self.queued.append((r, head, rest, time.monotonic() + SLOT_WAIT_S))
        self._hand_over_queued()

    def _hand_over_queued(self) -> None:
        """Whole requests to handler threads while slots are free, in the order they came; those
        that waited ``SLOT_WAIT_S`` in vain are answered 503."""
        while self.queued:
            r, head, rest, _ = self.queued[0]
            if not self.server.handle_received(r.sock, r.address, head, rest):
                break
            self.queued.popleft()
        now = time.monotonic()
        while self.queued and self.queued[0][3] <= now:
            self.server.refuse_busy(self.queued.popleft()[0].sock)

    def _answer(self, sock: socket.socket, response: bytes, forgotten: bool = False) -> None:
        if not forgotten:
            self._forget(sock)
        with contextlib.suppress(OSError):
            sock.send(response)  # small: fits the socket's buffer, never waits on the client
        self.server.shutdown_request(sock)

    def _forget(self, sock: socket.socket) -> None:
        self.waiting.pop(sock, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.selector.unregister(sock)

    def _close(self, sock: socket.socket) -> None:
        self._forget(sock)
        self.server.shutdown_request(sock)


class GalleryServer(ThreadingHTTPServer):
    """A thread per whole request (``RequestReader`` receives them), at most ``max_handlers`` at
    once; the rest are answered 503. ``screen`` (set before serving) may answer a whole request
    itself before it takes a slot: it gets the parsed head (None when it is not one) and returns
    the bytes of a response, or None to let it through."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 64  # listen backlog
    max_handlers = 32
    max_pending = 512  # connections whose request is still arriving
    request_timeout = 5.0  # seconds to receive a whole request head
    io_timeout = 15.0  # seconds for any one socket operation (sending an image included)
    BUSY = plain_response(503, "too many requests at once; try again in a moment", "Retry-After: 2\r\n")
    screen: Callable[[Head | None], bytes | None] | None = None

    def server_activate(self) -> None:
        super().server_activate()
        self.set_limits()
        self._received: dict[socket.socket, tuple[bytes, bytes]] = {}
        self._reader = RequestReader(self)

    def server_close(self) -> None:
        super().server_close()
        self._reader.stop()

    def set_limits(self, max_handlers: int | None = None, request_timeout: float | None = None,
                   io_timeout: float | None = None, max_pending: int | None = None) -> None:
        """Change the limits (before serving)."""
        if max_pending is not None:
            self.max_pending = max_pending
        if max_handlers is not None:
            self.max_handlers = max_handlers
        if request_timeout is not None:
            self.request_timeout = request_timeout
        if io_timeout is not None:
            self.io_timeout = io_timeout
        self._slots = threading.BoundedSemaphore(self.max_handlers)

    def process_request(self, request, client_address) -> None:
        """A new connection: its request is received by the reader, not by a thread of its own."""
        self._reader.add(request, client_address)

    def handle_received(self, request, client_address, head: bytes, rest: bytes) -> bool:
        """A whole request (from the reader) to a handler thread, when a slot is free (False, and
        nothing done, when none is)."""
        if not self._slots.acquire(blocking=False):
            return False
        self._received[request] = (head, rest)
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._received.pop(request, None)
            self._slots.release()
            raise
        return True

    def take_received(self, request) -> tuple[bytes, bytes]:
        """(the request head, the body bytes received with it) of ``request``, for its handler."""
        return self._received.pop(request)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()
            self._reader.wake()  # a request may be waiting for this slot

    def refuse_busy(self, request) -> None:
        """503: no handler slot came free in time."""
        with contextlib.suppress(OSError):
            request.send(self.BUSY)  # the socket is non-blocking (the reader's)
        self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], OSError):  # timeouts and dropped connections are routine
            return
        super().handle_error(request, client_address)


class GalleryServer6(GalleryServer):
    address_family = socket.AF_INET6


class ReceivedRequestHandler(BaseHTTPRequestHandler):
    """Answers the one request ``RequestReader`` received whole (its head, and a form's body): one
    request per connection, every socket operation on the server's ``io_timeout``."""

    protocol_version = "HTTP/1.0"  # one request per connection: no idle keep-alive connections to hold
    server: GalleryServer

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.io_timeout)
        self._socket_rfile = self.rfile

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self._socket_rfile.close()

    def handle(self) -> None:
        self.close_connection = True
        head, self._body_start = self.server.take_received(self.connection)
        self.rfile = io.BytesIO(head)
        try:
            self.handle_one_request()
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            pass

    def read_body(self, length: int) -> bytes:
        """The request's body of ``length`` bytes (what the reader received, and the rest within
        ``request_timeout``); TimeoutError or ConnectionResetError when it does not come whole."""
        data = bytearray(self._body_start[:length])
        deadline = time.monotonic() + self.server.request_timeout
        while len(data) < length:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("request body not received in time")
            self.connection.settimeout(min(remaining, self.server.io_timeout))
            chunk = self.connection.recv(min(65536, length - len(data)))
            if not chunk:
                raise ConnectionResetError("request body cut short")
            data += chunk
        self.connection.settimeout(self.server.io_timeout)
        return bytes(data)
