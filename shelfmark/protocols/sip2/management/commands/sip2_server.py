"""`shelfmark sip2-server`: serve SIP2 to self-service kiosks, sorters and smart shelves."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shelfmark.protocols.sip2.server import ServerConfig, serve, serve_processes, tls_context


class Command(BaseCommand):
    help = (
        "Serve SIP2 2.00 on a TCP port for the terminals added with `shelfmark sip2-terminal add`; "
        "with --tls-cert and --tls-key the port speaks TLS. Stops cleanly on SIGINT or SIGTERM."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = ServerConfig()
        parser.add_argument("--host", default=defaults.host, help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=defaults.port, help="port (default 6001; 0 picks a free one)")
        parser.add_argument("--tls-cert", type=Path, help="PEM certificate chain: serve TLS instead of plain TCP")
        parser.add_argument("--tls-key", type=Path, help="PEM private key of the certificate")
        parser.add_argument("--max-connections", type=int, default=defaults.max_connections)
        parser.add_argument("--login-timeout", type=float, default=defaults.login_timeout, help="seconds")
        parser.add_argument("--idle-timeout", type=float, default=defaults.idle_timeout, help="seconds")
        parser.add_argument(
            "--workers", type=int, default=defaults.workers, help="database worker threads (default 8, on SQLite 1)"
        )
        parser.add_argument(
            "--processes", type=int, default=1, help="server processes sharing the port (handlers are CPU-bound)"
        )
        parser.add_argument("--log-dir", type=Path, help="message logs (default DATA_DIR/sip2)")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["tls_cert"]) != bool(options["tls_key"]):
            raise CommandError("Give both --tls-cert and --tls-key, or neither.")
        config = ServerConfig(
            host=options["host"],
            port=options["port"],
            tls=tls_context(options["tls_cert"], options["tls_key"]) if options["tls_cert"] else None,
            max_connections=options["max_connections"],
            login_timeout=options["login_timeout"],
            idle_timeout=options["idle_timeout"],
            workers=options["workers"],
            log_dir=options["log_dir"],
        )
        if options["processes"] > 1:
            serve_processes(config, options["processes"], ready=lambda port: self._ready(config, port))
            self.stdout.write("SIP2 server stopped.")
            return
        asyncio.run(self._run(config))

    def _ready(self, config: ServerConfig, port: int) -> None:
        scheme = "SIP2/TLS" if config.tls else "SIP2"
        self.stdout.write(f"{scheme} server listening on {config.host}:{port}")
        self.stdout.flush()

    async def _run(self, config: ServerConfig) -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, task.cancel)

        try:
            await serve(config, ready=lambda server: self._ready(config, server.port))
        except asyncio.CancelledError:
            self.stdout.write("SIP2 server stopped.")
