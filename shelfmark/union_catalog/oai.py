"""The OAI-PMH client side of harvesting: Sickle, with retries that back off, and each page parsed once.

Sickle (PyPI `sickle`) sends the requests (GET or POST), follows resumption tokens (`OAIResponseIterator`), reads
Identify and turns OAI-PMH errors into exceptions. A list resumes where a stored token left it by starting the
iterator with only `resumptionToken`, which Sickle sends as is. Two things it does not do well enough for a
nightly harvest of a member's whole catalogue are replaced in `Harvester.harvest`, the one method its iterator
calls:
- Retries. Sickle retries only listed HTTP statuses, waits a constant time (Retry-After when it is a number of
  seconds; a Retry-After given as an HTTP date raises), and lets a dropped connection end the harvest. Here
  connection errors, timeouts and 429/500/502/503/504 are retried up to `retries` times, waiting Retry-After
  (seconds or an HTTP date, at most `max_delay`) when the server gives it and `backoff * 2**attempt` otherwise.
- Parsing. Sickle's response parses the body again at each access, in lxml's recover mode (a broken page silently
  loses records). `Page` parses once, strictly; a page that is not well-formed is retried like a network error
  and, if it stays broken, read in recover mode with the damage reported in the run log.
"""

from __future__ import annotations

import email.utils
import io
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from lxml import etree
from sickle import Sickle, oaiexceptions
from sickle.iterator import OAIResponseIterator

from shelfmark.catalog.marc.reading import iter_marc

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
DC_NS = "http://purl.org/dc/elements/1.1/"
MARCXML_NS = "http://www.loc.gov/MARC21/slim"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_O = f"{{{OAI_NS}}}"
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_RECOVER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, recover=True)


class HarvestError(Exception):
    """The provider could not be reached or answered with an error after every retry."""


class ListEnded(Exception):
    """The list request matched nothing (noRecordsMatch): an incremental harvest with no changes."""


@dataclass(frozen=True)
class Attempt:
    """One failed request the harvester will retry: what went wrong and how long it waits."""

    attempt: int
    problem: str
    delay: float


def retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Read a Retry-After header: seconds, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


class Page:
    """One OAI-PMH response, parsed once."""

    def __init__(self, http_response: requests.Response, params: dict[str, Any], *, damaged: str = "") -> None:
        self.http_response = http_response
        self.params = params
        self.damaged = damaged  # what recover mode had to skip, when the page was not well-formed
        parser = _RECOVER if damaged else _STRICT
        self.xml = etree.fromstring(http_response.content, parser=parser)

    @property
    def raw(self) -> str:
        return self.http_response.text

    def response_date(self) -> datetime | None:
        return parse_datestamp(self.xml.findtext(f"{_O}responseDate") or "")


def parse_datestamp(value: str) -> datetime | None:
    """Read an OAI-PMH datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ) as an aware UTC datetime."""
    value = value.strip()
    for pattern in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def format_datestamp(moment: datetime, granularity: str) -> str:
    """Write a datestamp in the provider's granularity (a day-granular provider refuses seconds)."""
    moment = moment.astimezone(UTC)
    if granularity == "YYYY-MM-DD":
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Harvester(Sickle):
    """Sickle with retries that back off and honour Retry-After, and responses parsed once."""

    def __init__(
        self,
        endpoint: str,
        *,
        retries: int = 5,
        backoff: float = 2.0,
        max_delay: float = 300.0,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[Attempt], None] | None = None,
        **request_args: Any,
    ) -> None:
        super().__init__(endpoint, max_retries=0, timeout=timeout, **request_args)
        self.retries = retries
        self.retried = 0  # retries so far, counted here: the fetching thread must not write to the database
        self.backoff = backoff
        self.max_delay = max_delay
        self.sleep = sleep
        self.on_retry = on_retry

    def harvest(self, **kwargs: Any) -> Page:
        """Send one OAI-PMH request, retrying what may pass; return the page parsed."""
        attempt = 0
        while True:
            problem, wait = "", None
            try:
                response = self._request(kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code in RETRY_STATUSES:
                    problem = f"HTTP {response.status_code}"
                    wait = retry_after(response.headers.get("Retry-After"))
                elif response.status_code >= 400:
                    raise HarvestError(f"HTTP {response.status_code} from {self.endpoint}: {response.text[:200]}")
                else:
                    try:
                        return Page(response, kwargs)
                    except etree.XMLSyntaxError as exc:
                        if attempt >= self.retries:
                            return Page(response, kwargs, damaged=f"the response is not well-formed XML: {exc}")
                        problem = f"the response is not well-formed XML: {exc}"
            if attempt >= self.retries:
                raise HarvestError(f"{problem} from {self.endpoint} (after {attempt} retries)")
            delay = min(wait if wait is not None else self.backoff * 2**attempt, self.max_delay)
            attempt += 1
            self.retried += 1
            if self.on_retry is not None:
                self.on_retry(Attempt(attempt, problem, delay))
            self.sleep(delay)

    def granularity(self) -> str:
        """Ask the repository (Identify) how fine its datestamps are: YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ."""
        return str(getattr(self.Identify(), "granularity", "") or "YYYY-MM-DDThh:mm:ssZ")


ListPage = tuple[Page, str, int | None, int | None]


def _list_pages(harvester: Harvester, params: dict[str, Any]) -> Iterator[ListPage]:
    try:
        iterator = OAIResponseIterator(harvester, {"verb": "ListRecords", **params})
    except oaiexceptions.NoRecordsMatch:
        raise ListEnded from None
    for page in iterator:
        token = iterator.resumption_token
        size = _number(token.complete_list_size) if token is not None else None
        cursor = _number(token.cursor) if token is not None else None
        yield page, ((token.token or "").strip() if token is not None else ""), size, cursor


def pages(harvester: Harvester, params: dict[str, Any], *, ahead: int = 1) -> Iterator[ListPage]:
    """Yield each page of a ListRecords request with the token that follows it ("" at the end), its
    completeListSize and cursor; raise ListEnded when the list is empty, Sickle's exception on an OAI-PMH error.

    `params` is either the list's arguments (metadataPrefix, set, from, until) or just a stored resumptionToken.
    A thread fetches up to `ahead` pages beyond the one being landed: the provider builds the next page while
    this process reads the last (a page only lands, and its token is only stored, in the caller's thread).
    """
    if ahead < 1:
        yield from _list_pages(harvester, params)
        return
    fetched: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def fetch() -> None:
        try:
            for item in _list_pages(harvester, params):
                while not stop.is_set():
                    try:
                        fetched.put(("page", item), timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            fetched.put(("end", None))
        except BaseException as exc:  # raised again in the caller's thread
            fetched.put(("error", exc))

    worker = threading.Thread(target=fetch, name="oai-pages", daemon=True)
    worker.start()
    try:
        while True:
            kind, payload = fetched.get()
            if kind == "end":
                return
            if kind == "error":
                raise payload
            yield payload
    finally:
        stop.set()
        # A fetch in flight ends on its own (the thread is a daemon and sees `stop` before queueing anything).
        worker.join(timeout=5)


def _number(value: str | None) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@dataclass
class Entry:
    """One record element of a page: header facts, and its metadata element when it is not deleted."""

    identifier: str
    datestamp: datetime | None
    deleted: bool
    metadata: etree._Element | None


def entries(page: Page) -> list[Entry]:
    """Return the page's records in order."""
    found = []
    for element in page.xml.iterfind(f".//{_O}ListRecords/{_O}record"):
        header = element.find(f"{_O}header")
        if header is None:
            continue
        metadata = element.find(f"{_O}metadata")
        payload = next(iter(metadata), None) if metadata is not None else None
        found.append(
            Entry(
                identifier=(header.findtext(f"{_O}identifier") or "").strip(),
                datestamp=parse_datestamp(header.findtext(f"{_O}datestamp") or ""),
                deleted=header.get("status") == "deleted",
                metadata=payload,
            )
        )
    return found


def marcxml_records(elements: list[etree._Element]) -> list[tuple[Any, str | None]]:
    """Read MARCXML record elements with the catalogue's reader: (pymarc record or None, error) for each."""
    if not elements:
        return []
    collection = etree.Element(f"{{{MARCXML_NS}}}collection", nsmap={None: MARCXML_NS})
    for element in elements:
        collection.append(_as_marcxml(element))
    read = {entry.position: entry for entry in iter_marc(io.BytesIO(etree.tostring(collection)))}
    out: list[tuple[Any, str | None]] = []
    for position in range(1, len(elements) + 1):
        entry = read.get(position)
        if entry is None:
            out.append((None, "MARCXML record could not be read"))
        else:
            out.append((entry.record, entry.error))
    return out


def _as_marcxml(element: etree._Element) -> etree._Element:
    """The metadata element as a MARCXML record (some providers wrap it in a collection, or leave out the
    namespace); it is moved out of its page, which is read already."""
    if etree.QName(element).localname == "collection":
        inner = next(iter(element), None)
        element = inner if inner is not None else element
    if etree.QName(element).namespace != MARCXML_NS:
        element = etree.fromstring(etree.tostring(element))
        for node in element.iter():
            if isinstance(node.tag, str):
                node.tag = f"{{{MARCXML_NS}}}{etree.QName(node).localname}"
    return element
