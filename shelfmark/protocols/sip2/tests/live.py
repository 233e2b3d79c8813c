"""Run the real SIP2 server on a random local port in a background thread, and talk to it over sockets."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from shelfmark.protocols.sip2.server import ServerConfig, Sip2Server


@contextmanager
def running_server(config: ServerConfig) -> Iterator[Sip2Server]:
    """Start a server (port 0 = any free port) on its own event loop; stop it, closing its connections, on exit."""
    loop = asyncio.new_event_loop()
    server = Sip2Server(config)
    thread = threading.Thread(target=loop.run_forever, name="sip2-test-server", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(timeout=10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


def read_frame(sock: socket.socket, *, timeout: float = 10.0) -> bytes:
    """Read one answer up to and including its carriage return."""
    sock.settimeout(timeout)
    data = b""
    while not data.endswith(b"\r"):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError(f"connection closed after {data!r}")
        data += chunk
    return data


def exchange(sock: socket.socket, frame: bytes) -> bytes:
    """Send a frame (a carriage return is added when missing) and read the answer."""
    sock.sendall(frame if frame.endswith(b"\r") else frame + b"\r")
    return read_frame(sock)
