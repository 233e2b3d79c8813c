"""The SIP2 TCP server: asyncio for the connections, a bounded pool of threads for the (synchronous) database work.

Each connection reads frames ended by a carriage return, however the bytes arrive in TCP segments, and answers
them one at a time through its Session on a worker thread; each worker keeps its database connection and
drops it when it breaks. Limits keep one bad client from hurting the rest: a connection cap, a login
deadline, an idle timeout, and a longest frame (longer ones are dropped up to their terminator and answered
with a 96).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import ssl
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from django.db import connections

from shelfmark.protocols.sip2 import codec
from shelfmark.protocols.sip2.messagelog import MessageLog
from shelfmark.protocols.sip2.session import Session

logger = logging.getLogger(__name__)

T = TypeVar("T")
READ_SIZE = 65536


@dataclass
class ServerConfig:
    """How the server listens and what it tolerates."""

    host: str = "127.0.0.1"
    port: int = 6001
    tls: ssl.SSLContext | None = None
    max_connections: int = 500
    login_timeout: float = 60.0  # seconds a new connection has to log in
    idle_timeout: float = 600.0  # seconds a logged-in terminal may stay silent (kiosks poll with 99)
    workers: int | None = None  # threads doing database work; None: 8, or 1 on SQLite (see default_workers)
    max_frame: int = 16384
    log_dir: Path | None = None
    log_suffix: str = ""  # set per process when several processes share one port


@dataclass
class ServerStats:
    """Counters the bench and the operator read."""

    connections: int = 0
    refused: int = 0
    frames: int = 0
    timeouts: int = 0
    oversized: int = 0
    open: set[str] = field(default_factory=set)


def default_workers() -> int:
    """Return how many threads should do database work: one on SQLite, eight otherwise.

    SQLite has one writer at a time, and its busy wait is not fair: with several writing threads, one can wait
    past the kiosk's patience while others keep winning the lock. One thread per process never waits on another.
    """
    return 1 if connections["default"].vendor == "sqlite" else 8


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    """Return a server TLS context (TLS 1.2 or later) for the certificate chain and key."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context


class DatabaseWorkers:
    """A fixed pool of threads for handlers, each using its own database connection as a request would."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="sip2-db")

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, _in_request_cycle, function, *args)

    def shutdown(self) -> None:
        """Close every worker's database connections, then stop the threads."""
        barrier = threading.Barrier(self.size)
        wait_all([self._pool.submit(_close_when_all_wait, barrier) for _ in range(self.size)], timeout=30)
        self._pool.shutdown(wait=True, cancel_futures=True)


def _in_request_cycle(function: Callable[..., T], *args: Any) -> T:
    _drop_broken_connections()
    try:
        return function(*args)
    finally:
        _drop_broken_connections()


def _drop_broken_connections() -> None:
    """Close this thread's connections that failed or were left outside autocommit, as Django does around a
    request; healthy ones stay open for the next message (closing a SQLite connection checkpoints its WAL)."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]:
            conn.close()
        elif conn.errors_occurred:
            if conn.is_usable():
                conn.errors_occurred = False
            else:
                conn.close()


def _close_when_all_wait(barrier: threading.Barrier) -> None:
    # Every worker waits at the barrier, so each thread runs exactly one of these and closes its own connections.
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=10)
    connections.close_all()


class Sip2Server:
    """Serve SIP2 on one address until stopped."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.stats = ServerStats()
        self.log = MessageLog(config.log_dir, suffix=config.log_suffix)
        self.workers = DatabaseWorkers(config.workers or default_workers())
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose when configured with port 0)."""
        assert self._server is not None and self._server.sockets
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self, sock: socket.socket | None = None) -> None:
        """Listen on the configured address, or on `sock` when the listening socket is shared with other processes."""
        if sock is not None:
            self._server = await asyncio.start_server(self._accept, sock=sock, ssl=self.config.tls)
        else:
            self._server = await asyncio.start_server(
                self._accept, self.config.host, self.config.port, ssl=self.config.tls, backlog=1024
            )

    async def serve_forever(self) -> None:
        assert self._server is not None
        await self._server.serve_forever()

    async def stop(self) -> None:
        """Stop listening, end the open connections, close database connections and log files."""
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        await asyncio.get_running_loop().run_in_executor(None, self.workers.shutdown)
        self.log.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = _peer(writer)
        if len(self._tasks) >= self.config.max_connections:
            self.stats.refused += 1
            logger.warning("sip2: refused %s, %d connections open", peer, len(self._tasks))
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            return
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.stats.connections += 1
        self.stats.open.add(peer)
        try:
            await self._converse(Session(peer=peer, log=self.log, timeout_tenths=100), reader, writer)
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)
            self.stats.open.discard(peer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _converse(self, session: Session, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        buffer = bytearray()
        dropping = False  # inside a frame longer than max_frame: skip to its carriage return
        while not session.closing:
            cut = buffer.find(b"\r")
            if cut < 0:
                if len(buffer) > self.config.max_frame:
                    dropping = True
                    buffer.clear()
                timeout = self.config.idle_timeout if session.terminal else self.config.login_timeout
                try:
                    chunk = await asyncio.wait_for(reader.read(READ_SIZE), timeout)
                except TimeoutError:
                    self.stats.timeouts += 1
                    return
                if not chunk:
                    return
                buffer += chunk
                continue
            frame = bytes(buffer[:cut])
            del buffer[: cut + 1]
            if dropping or len(frame) > self.config.max_frame:
                dropping = False
                self.stats.oversized += 1
                answer: bytes | None = codec.request_resend(uses_checksum=session.uses_checksum)
            else:
                self.stats.frames += 1
                answer = await self.workers.run(session.respond, frame)
            if answer:
                writer.write(answer)
                await writer.drain()


def _peer(writer: asyncio.StreamWriter) -> str:
    address = writer.get_extra_info("peername")
    return f"{address[0]}:{address[1]}" if isinstance(address, tuple) else str(address)


async def serve(
    config: ServerConfig, *, ready: Callable[[Sip2Server], None] | None = None, sock: socket.socket | None = None
) -> None:
    """Run a server until cancelled, calling `ready` once it listens."""
    server = Sip2Server(config)
    await server.start(sock)
    if ready is not None:
        ready(server)
    try:
        await server.serve_forever()
    finally:
        await server.stop()


def serve_processes(config: ServerConfig, processes: int, *, ready: Callable[[int], None]) -> None:
    """Serve from several processes sharing one listening socket, so handlers use more than one core.

    The parent binds, forks the workers (with no database connection open, so none is shared) and waits;
    SIGTERM or SIGINT stops them all. Each worker writes its own message log files (<login>.p<n>.log).
    """
    sock = socket.create_server((config.host, config.port), backlog=1024, reuse_port=False)
    sock.set_inheritable(True)
    connections.close_all()
    children: list[int] = []
    for index in range(processes):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child process
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            code = 0
            try:
                asyncio.run(_child(replace(config, log_suffix=f".p{index}"), sock))
            except BaseException:
                logger.exception("sip2 worker process %d failed", index)
                code = 1
            os._exit(code)
        children.append(pid)
    ready(int(sock.getsockname()[1]))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.is_set() and children:
        pid, _status = os.waitpid(-1, os.WNOHANG)
        if pid:
            children.remove(pid)
            logger.error("sip2 worker process %d ended", pid)
        stop.wait(0.2)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    sock.close()


async def _child(config: ServerConfig, sock: socket.socket) -> None:  # pragma: no cover - child process
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await serve(config, sock=sock)
