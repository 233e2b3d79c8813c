"""A real Z39.50 server for the copy-cataloguing tests: YAZ's test server (yaz-ztest) on a free local port. In CI a
missing YAZ fails instead of skipping."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shelfmark.protocols.z3950 import client


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (Debian package yaz, in the Makefile's APT_PACKAGES)")
        pytest.skip(f"{name} is not installed (apt-get install yaz)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def ztest(tmp_path: Path) -> Iterator[client.Target]:
    """YAZ's test server on a free local port: any search finds records of its built-in sample set."""
    port = free_port()
    server = subprocess.Popen(
        [tool("yaz-ztest"), "-l", str(tmp_path / "ztest.log"), f"tcp:127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tool("zoomsh")
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "yaz-ztest did not start listening"
            time.sleep(0.05)
        yield client.Target("127.0.0.1", port, "Default")
    finally:
        server.terminate()
        server.wait(timeout=10)
