"""The SIP2 server over real sockets on a random port: framing, limits, timeouts, TLS, and one bad client among many."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from shelfmark.circulation.models import Loan
from shelfmark.protocols.sip2.server import ServerConfig, tls_context
from shelfmark.protocols.sip2.tests.conftest import DATE, PASSWORD, PIN, Kiosk
from shelfmark.protocols.sip2.tests.live import exchange, read_frame, running_server

# The server's worker threads use their own connections, so the test data must be committed; available_apps
# makes the flush afterwards TRUNCATE ... CASCADE, past the catalogue's raw-SQL search table.
pytestmark = pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()])

LOGIN = f"9300CNkp-kiosk-1|CO{PASSWORD}|".encode()
BLANK = " " * 18


def checkout(barcode: str, card: str = "R0001", date: str = DATE) -> bytes:
    return f"11YN{date}{BLANK}AOLN-SY-KP|AA{card}|AB{barcode}|AD{PIN}|".encode()


def connect(server_port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server_port), timeout=10)


def test_a_kiosk_logs_in_and_lends_over_tcp(kiosk: Kiosk, tmp_path: Path):
    with running_server(ServerConfig(port=0, log_dir=tmp_path)) as server, connect(server.port) as sock:
        assert exchange(sock, LOGIN) == b"941\r"
        assert exchange(sock, b"9900802.00").startswith(b"98YYYY")
        assert exchange(sock, checkout("30000")).startswith(b"121")
    assert Loan.objects.get().item.barcode == "30000"
    assert (tmp_path / "kp-kiosk-1.log").exists()


def test_a_frame_split_across_packets_and_two_frames_in_one_packet_are_both_served(kiosk: Kiosk, tmp_path: Path):
    with running_server(ServerConfig(port=0, log_dir=tmp_path)) as server, connect(server.port) as sock:
        # the login arrives in three pieces with pauses between them
        for piece in (LOGIN[:5], LOGIN[5:17], LOGIN[17:] + b"\r"):
            sock.sendall(piece)
            time.sleep(0.05)
        assert read_frame(sock) == b"941\r"
        # two status requests arrive in one segment, the second with a line feed as some kiosks add
        sock.sendall(b"9900802.00\r\n9900802.00\r\n")
        assert read_frame(sock).startswith(b"98Y")
        assert read_frame(sock).startswith(b"98Y")


def test_bad_frames_get_protocol_answers_and_the_connection_keeps_working(kiosk: Kiosk, tmp_path: Path):
    with running_server(ServerConfig(port=0, log_dir=tmp_path, max_frame=1024)) as server, connect(server.port) as sock:
        assert exchange(sock, LOGIN) == b"941\r"
        assert exchange(sock, b"9900802.00AY1AZ0000") == b"96AZFEF6\r"  # wrong checksum
        assert exchange(sock, b"42what") == b"96AZFEF6\r"  # unknown command, checksums in use
        assert exchange(sock, b"11" + b"x" * 5000) == b"96AZFEF6\r"  # longer than any frame we accept
        assert exchange(sock, b"\xff\xfe\xfd") == b"96AZFEF6\r"  # not text
        assert exchange(sock, checkout("30000")).startswith(b"121")
        assert server.stats.oversized == 1


def test_a_silent_connection_is_closed_after_the_login_timeout(kiosk: Kiosk, tmp_path: Path):
    with (
        running_server(ServerConfig(port=0, log_dir=tmp_path, login_timeout=0.3)) as server,
        connect(server.port) as sock,
    ):
        sock.settimeout(5)
        assert sock.recv(10) == b""  # closed by the server
        assert server.stats.timeouts == 1


def test_connections_over_the_limit_are_closed_and_the_others_served(kiosk: Kiosk, tmp_path: Path):
    with running_server(ServerConfig(port=0, log_dir=tmp_path, max_connections=2)) as server:
        first, second = connect(server.port), connect(server.port)
        assert exchange(first, LOGIN) == b"941\r"
        assert exchange(second, LOGIN) == b"941\r"
        third = connect(server.port)
        third.settimeout(5)
        assert third.recv(10) == b""
        assert exchange(first, b"9900802.00").startswith(b"98Y")
        assert server.stats.refused == 1
        for sock in (first, second, third):
            sock.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_tls(kiosk: Kiosk, tmp_path: Path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
            *("-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    client = ssl.create_default_context(cafile=str(cert))
    config = ServerConfig(port=0, log_dir=tmp_path, tls=tls_context(cert, key))
    with (
        running_server(config) as server,
        connect(server.port) as raw,
        client.wrap_socket(raw, server_hostname="127.0.0.1") as sock,
    ):
        assert exchange(sock, LOGIN) == b"941\r"
        assert exchange(sock, b"9900802.00").startswith(b"98Y")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_many_kiosks_at_once_one_of_them_sending_garbage(kiosk: Kiosk, tmp_path: Path):
    # given twelve kiosks lending the same copy at once while another connection sends broken frames
    results: list[bytes] = []
    with running_server(ServerConfig(port=0, log_dir=tmp_path, workers=4)) as server:
        barrier = threading.Barrier(13)

        def lend(n: int) -> None:
            with connect(server.port) as sock:
                exchange(sock, LOGIN)
                barrier.wait()
                # distinct transactions: each kiosk's clock stamps its own second
                stamp = f"{DATE[:-2]}{n:02d}"
                results.append(exchange(sock, checkout("30001", card="R0001" if n % 2 else "R0002", date=stamp)))

        def garbage() -> None:
            with connect(server.port) as sock:
                barrier.wait()
                for _ in range(20):
                    assert exchange(sock, b"11\x00\x01|||AZ12") == b"96AZFEF6\r"

        threads = [threading.Thread(target=lend, args=(n,)) for n in range(12)] + [threading.Thread(target=garbage)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    # then every kiosk got an answer, exactly one lent the copy, and the others were told why not
    assert len(results) == 12
    assert sum(answer.startswith(b"121") for answer in results) == 1
    assert all(answer.startswith((b"121", b"120")) for answer in results)
    assert Loan.objects.filter(item__barcode="30001").count() == 1
