"""The import's worker process: it prepares what the in-process path prepares, in order, failures included."""

import multiprocessing

import pytest
from django.db import connection

from shelfmark.catalog import preparing, services
from shelfmark.catalog.marc.reading import iter_marc
from shelfmark.catalog.models import Record
from shelfmark.catalog.search.backends import backend
from shelfmark.core.models import AuditEvent

pytestmark = pytest.mark.django_db

_COMPARED = ("title", "title_romanized", "authors", "subjects", "isbn", "control_number", "marc", "year")


def _landed() -> list[tuple[object, ...]]:
    return [tuple(getattr(r, name) for name in _COMPARED) for r in Record.objects.order_by("id")]


def _indexed() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {backend().rows_table}")
        return int(cursor.fetchone()[0])


@pytest.fixture
def use_worker(monkeypatch):
    """Return a switch that makes every file, however small, go through the worker; it notes each start."""
    started: list[bool] = []
    real = preparing._from_workers

    def counting(*args, **kwargs):
        started.append(True)
        return real(*args, **kwargs)

    def switch():
        monkeypatch.setattr(preparing, "PIPELINE_MIN_BYTES", 0)
        monkeypatch.setattr(preparing, "CHUNK", 3)
        monkeypatch.setattr(preparing, "_from_workers", counting)
        return started

    return switch


@pytest.mark.parametrize("name", ["marc.dat", "bad_records.mrc", "regression45.dat", "batch.xml"])
def test_the_worker_lands_the_same_records_and_rejects_as_in_process(marc_dir, use_worker, name):
    # given the file imported in-process
    alone = services.import_marc(source=marc_dir / name, batch_size=4)
    expected = _landed()
    Record.objects.all().delete()
    started = use_worker()

    # when it is imported again through the worker
    piped = services.import_marc(source=marc_dir / name, batch_size=4)

    # then the worker ran, and the counts, the rejects (positions, offsets, reasons) and the records agree
    assert started == [True]
    assert piped.line() == alone.line()
    assert [r.as_dict() for r in piped.rejects] == [r.as_dict() for r in alone.rejects]
    assert _landed() == expected


def test_a_failure_in_the_worker_leaves_earlier_batches_landed_and_is_raised(marc_dir, use_worker, monkeypatch):
    started = use_worker()
    # given tokenising fails on the 12th record of marc.dat, inside the worker process
    twelfth = [e.record["001"].data for e in iter_marc(marc_dir / "marc.dat") if e.record is not None][11]
    real = preparing.prepare_tokens

    def failing(values):
        if values.control_number == twelfth:
            raise RuntimeError("tokeniser broke")
        return real(values)

    monkeypatch.setattr(preparing, "prepare_tokens", failing)

    # when the file is imported in batches of 5
    with pytest.raises(RuntimeError, match="tokeniser broke"):
        services.import_marc(source=marc_dir / "marc.dat", batch_size=5)

    # then the worker ran, the two whole batches before the failure landed and are searchable, nothing else
    assert started == [True]
    assert Record.objects.count() == 10
    assert AuditEvent.objects.filter(kind="catalog.import_batch").count() == 2
    assert _indexed() == 10


def test_a_rerun_through_the_worker_updates_instead_of_duplicating(marc_dir, use_worker):
    started = use_worker()
    # given a file imported once through the worker
    services.import_marc(source=marc_dir / "marc.dat", batch_size=6)

    # when it is imported again
    again = services.import_marc(source=marc_dir / "marc.dat", batch_size=6)

    # then every record matched an existing one
    assert (again.read, again.created, again.updated, again.rejected) == (20, 0, 20, 0)
    assert Record.objects.count() == 20
    assert started == [True, True]
    assert _indexed() == 20


def test_an_interrupted_import_stops_its_workers_and_leaves_whole_batches(marc_dir, use_worker):
    started = use_worker()

    def interrupt(done, total, summary):
        raise KeyboardInterrupt

    # when the import is interrupted right after its first batch of 5 landed
    with pytest.raises(KeyboardInterrupt):
        services.import_marc(source=marc_dir / "marc.dat", batch_size=5, progress=interrupt)

    # then that batch is there whole, indexed, and no worker process is left running
    assert started == [True]
    assert Record.objects.count() == 5
    assert _indexed() == 5
    assert multiprocessing.active_children() == []
