"""Another vendor's OAI-PMH provider, as member libraries run them: an HTTP server in a thread that answers
Identify, and ListRecords from a plan of responses (an overloaded 503 with Retry-After, a page with a broken
record, an OAI-PMH error), so that tests can meet what Shelfmark's own provider never sends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pymarc

OAI_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    "<responseDate>2025-03-02T10:00:00Z</responseDate>"
)
IDENTIFY = (
    f'{OAI_HEAD}<request verb="Identify">http://member/oai</request><Identify><repositoryName>Interlib</repositoryName>'
    "<baseURL>http://member/oai</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>a@member</adminEmail>"
    "<earliestDatestamp>2000-01-01</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
    "<granularity>YYYY-MM-DD</granularity></Identify></OAI-PMH>"
)


@dataclass
class Answer:
    """One planned HTTP answer."""

    status: int = 200
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class MemberSystem:
    """The planned answers to ListRecords, in order, and the queries received."""

    answers: list[Answer]
    queries: list[dict[str, list[str]]] = field(default_factory=list)
    url: str = ""


def marcxml(record: pymarc.Record) -> str:
    """A record as a MARCXML element in the slim namespace."""
    return pymarc.record_to_xml(record, namespace=True).decode()


def record_xml(identifier: str, datestamp: str, metadata: str = "", *, deleted: bool = False) -> str:
    status = ' status="deleted"' if deleted else ""
    body = "" if deleted else f"<metadata>{metadata}</metadata>"
    return (
        f"<record><header{status}><identifier>{identifier}</identifier><datestamp>{datestamp}</datestamp>"
        f"</header>{body}</record>"
    )


def list_records(records: list[str], token: str | None = None) -> str:
    resumption = f'<resumptionToken completeListSize="9">{token}</resumptionToken>' if token else ""
    if token == "":
        resumption = '<resumptionToken completeListSize="9"/>'
    return f'{OAI_HEAD}<request verb="ListRecords">http://member/oai</request><ListRecords>{"".join(records)}{resumption}</ListRecords></OAI-PMH>'


def oai_error(code: str, text: str) -> str:
    return f'{OAI_HEAD}<request verb="ListRecords">http://member/oai</request><error code="{code}">{text}</error></OAI-PMH>'


@contextmanager
def serving(answers: list[Answer]) -> Iterator[MemberSystem]:
    """Serve the plan on a free local port for the duration of the block."""
    system = MemberSystem(list(answers))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = parse_qs(urlsplit(self.path).query)
            system.queries.append(query)
            if query.get("verb") == ["Identify"]:
                answer = Answer(body=IDENTIFY)
            elif system.answers:
                answer = system.answers.pop(0)
            else:
                answer = Answer(body=oai_error("badResumptionToken", "no more pages were planned"))
            payload = answer.body.encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    system.url = f"http://127.0.0.1:{server.server_address[1]}/oai"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield system
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
