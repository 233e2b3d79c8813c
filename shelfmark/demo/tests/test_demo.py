"""`shelfmark demo`: idempotent, prints the logins, loads the real samples and a generated catalogue."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from shelfmark.catalog.models import Record
from shelfmark.circulation.models import CirculationEvent, CirculationRule, Hold, Loan, Transit
from shelfmark.core.models import AuditEvent
from shelfmark.demo import catalog as demo_catalog
from shelfmark.demo.staff import STAFF
from shelfmark.demo.tests.conftest import GENERATED, run_demo
from shelfmark.fines.models import Charge, Payment
from shelfmark.holdings.models import Item, ItemStatusChange
from shelfmark.patrons.models import DepositEntry, Patron, PatronBlock
from shelfmark.protocols.sip2 import selectors as sip2_selectors

pytestmark = pytest.mark.django_db


def circulation_rows() -> dict[str, int]:
    """How many rows the circulation part of the demo wrote, table by table."""
    return {
        model._meta.label: model.objects.count()
        for model in (
            CirculationRule,
            Patron,
            Item,
            ItemStatusChange,
            Loan,
            Hold,
            Transit,
            CirculationEvent,
            Charge,
            Payment,
            DepositEntry,
            PatronBlock,
        )
    }


def test_demo_twice_keeps_the_same_records_and_prints_one_json_object_with_logins():
    # given the demo loaded once
    first = json.loads(run_demo("--json"))
    records = Record.objects.count()
    titles = sorted(Record.objects.values_list("control_number", flat=True))
    generated_batches = AuditEvent.objects.filter(kind="catalog.import_batch", data__file="generated.mrc").count()
    rows = circulation_rows()
    # when it runs again
    second = json.loads(run_demo("--json"))
    # then no record is duplicated and the JSON object lists every demo login
    assert Record.objects.count() == records
    assert sorted(Record.objects.values_list("control_number", flat=True)) == titles
    assert [login["username"] for login in second["staff"]] == [row[0] for row in STAFF]
    assert all(login["password"] for login in second["staff"])
    assert second["catalog"]["records"] == records == first["catalog"]["records"]
    assert second["catalog"]["generated"] == first["catalog"]["generated"] == GENERATED
    # and the generated catalogue, already loaded, is not imported a second time
    assert generated_batches == 1
    assert AuditEvent.objects.filter(kind="catalog.import_batch", data__file="generated.mrc").count() == 1
    # and no rule, reader, copy, loan, hold, fine or event is added: the history is written once
    assert circulation_rows() == rows
    assert rows["circulation.Loan"] > 0 and rows["patrons.Patron"] > 0 and rows["holdings.Item"] > 0
    assert (second["circulation"]["rules_created"], second["circulation"]["readers_created"]) == (0, 0)
    assert second["circulation"]["items_created"] == 0
    assert second["circulation"]["history"] == first["circulation"]["history"]
    assert AuditEvent.objects.filter(kind="demo.history_loaded").count() == 1
    # and it lists the same readers and the same copy on loan and on the hold shelf
    assert second["readers"] == first["readers"]
    for case in ("on_loan", "on_hold_shelf", "overdue"):
        assert second["items"][case]["barcode"] == first["items"][case]["barcode"]
    # and one SIP2 kiosk whose listed login works, at the 24-hour library, added once
    kiosk = second["sip2"]
    assert kiosk == first["sip2"]
    terminal = sip2_selectors.authenticate(kiosk["login"], kiosk["password"])
    assert terminal is not None and (terminal.library.code, terminal.institution_id) == ("LN-SS-01", "LN")
    assert sip2_selectors.authenticate(kiosk["login"], "wrong") is None
    assert sip2_selectors.terminals().count() == 1


def test_demo_with_a_larger_catalogue_adds_only_the_missing_generated_records():
    # given the demo loaded with 150 generated records
    run_demo()
    before = set(Record.objects.filter(control_number__startswith="SMG").values_list("control_number", flat=True))
    # when it runs asking for 200
    out = run_demo("--json", catalog_records=200)
    # then the first 150 are the same records and 50 more were added
    after = set(Record.objects.filter(control_number__startswith="SMG").values_list("control_number", flat=True))
    assert before < after
    assert len(after) == 200
    assert json.loads(out)["catalog"]["generated"] == 200


def test_demo_loads_the_real_samples_and_a_generated_chinese_catalogue():
    # given / when
    summary = json.loads(run_demo("--json"))["catalog"]
    # then the shared samples (when checked out beside the repo) and the generated records are in the catalogue
    sample_count = summary["samples_read"] - summary["samples_rejected"]
    if demo_catalog.samples_dir().is_dir():
        assert sample_count >= 40
        assert Record.objects.filter(control_number="11778504").exists()  # first record of marc.dat
    assert Record.objects.filter(control_number__startswith="SMG").count() == GENERATED - summary["generated_rejected"]
    assert summary["generated_rejected"] == 0
    assert Record.objects.filter(marc_format="cnmarc", control_number__startswith="SMG").exists()
    assert Record.objects.filter(language="chi", title__regex=r"[\u4e00-\u9fff]").count() >= GENERATED * 0.9
    assert summary["local_documents"] == Record.objects.filter(is_local_document=True).count() > 0


def test_demo_without_the_samples_skips_them_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # given the samples folder is missing (an installation outside a checkout)
    monkeypatch.setattr(demo_catalog, "samples_dir", lambda: tmp_path / "missing")
    notes = io.StringIO()
    # when the demo runs
    out = run_demo(catalog_records=20, stderr=notes)
    # then it says so, loads the generated records only, and still prints the logins
    assert "MARC samples not found" in notes.getvalue()
    assert Record.objects.count() == 20
    assert "admin" in out and "shelfmark-admin" in out
