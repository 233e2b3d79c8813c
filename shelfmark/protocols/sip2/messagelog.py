"""The message log: one file per terminal under DATA_DIR/sip2/, every frame in and out, secrets masked."""

from __future__ import annotations

import logging
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path

from django.conf import settings

from shelfmark.protocols.sip2.codec import masked

ANONYMOUS = "_before-login"  # frames of connections that have not logged in yet
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5


class MessageLog:
    """Append masked frames to the log of the terminal that sent or received them."""

    def __init__(self, directory: Path | None = None, *, suffix: str = "") -> None:
        self.directory = Path(directory or Path(settings.DATA_DIR) / "sip2")
        self.suffix = suffix
        self._loggers: dict[str, logging.Logger] = {}
        self._lock = threading.Lock()

    def _logger(self, login: str) -> logging.Logger:
        with self._lock:
            logger = self._loggers.get(login)
            if logger is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                logger = logging.getLogger(f"shelfmark.sip2.messages.{id(self)}.{login}")
                logger.propagate = False
                logger.setLevel(logging.INFO)
                handler = RotatingFileHandler(
                    self.directory / f"{login}{self.suffix}.log",
                    maxBytes=MAX_BYTES,
                    backupCount=BACKUPS,
                    encoding="utf-8",
                )
                handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
                logger.handlers = [handler]
                self._loggers[login] = logger
            return logger

    def write(self, login: str | None, peer: str, direction: str, frame: str) -> None:
        """Log one frame; `direction` is ">>" for what the terminal sent and "<<" for our answer."""
        self._logger(login or ANONYMOUS).info("%s %s %s", peer, direction, masked(frame.rstrip("\r\n")))

    def close(self) -> None:
        """Close every log file (the server calls this when it stops)."""
        with self._lock:
            for logger in self._loggers.values():
                for handler in logger.handlers:
                    handler.close()
                logger.handlers = []
            self._loggers.clear()
