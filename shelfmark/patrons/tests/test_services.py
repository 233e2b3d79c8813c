"""Reader services: registration, changes, renewal, lost cards, blocks, counters, deposits, and their audits."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shelfmark.core.errors import InvalidInput
from shelfmark.core.models import AuditEvent
from shelfmark.patrons import selectors, services
from shelfmark.patrons.errors import (
    BlockAlreadyLifted,
    CardNumberTaken,
    CardRetired,
    DepositInsufficient,
    IdNumberInUse,
    InvalidAmount,
    InvalidCardNumber,
    InvalidIdNumber,
    PatronNotFound,
)
from shelfmark.patrons.models import Category, DepositEntry, Patron, PatronBlock, PatronCard
from shelfmark.patrons.tests.factories import make_patron

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ID = "11010519491231002X"


def _rows() -> tuple[list[dict[str, Any]], int, int, int]:
    """What a refusal must leave untouched: every reader row, cards, blocks and the audit trail length."""
    return (
        [dict(r) for r in Patron.objects.order_by("id").values()],
        PatronCard.objects.count(),
        PatronBlock.objects.count(),
        AuditEvent.objects.count(),
    )


def test_create_patron_keeps_only_the_hash_and_mask_of_the_id_number(net):
    patron = services.create_patron(
        card_number="LN0001",
        name="张三",
        category=Category.SENIOR,
        home_library=net.county,
        actor=None,
        id_number=ID.lower(),
        email="zs@example.cn",
        phone="139 0000 0000",
        home_delivery=True,
        now=T0,
    )

    row = Patron.objects.get(pk=patron.pk)
    assert (row.card_number, row.category, row.home_library_id, row.home_delivery) == (
        "LN0001",
        "senior",
        net.county.pk,
        True,
    )
    assert row.id_number_masked == "1101**********002X"
    assert len(row.id_number_hash) == 64 and ID not in str(Patron.objects.filter(pk=patron.pk).values().get())
    assert row.expires_on == date(2030, 3, 10)  # five years by default
    assert (row.pin_hash, row.fines_owed, row.history_opt_in) == ("", Decimal("0.00"), False)
    assert list(PatronCard.objects.filter(patron=row).values_list("number", "retired_at")) == [("LN0001", None)]
    event = AuditEvent.objects.get(kind="patron.created")
    assert event.data == {"card_number": "LN0001", "category": "senior", "home_library": "LN-SY-KP"}


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"card_number": "bad card!"}, InvalidCardNumber, "card_number"),
        ({"name": "  "}, InvalidInput, "name"),
        ({"category": "vip"}, InvalidInput, "category"),
        ({"email": "not-an-email"}, InvalidInput, "email"),
        ({"phone": "call me"}, InvalidInput, "phone"),
        ({"id_number": "110105194912310021"}, InvalidIdNumber, "id_number"),
        ({"category": Category.INSTITUTIONAL}, InvalidInput, "responsible_person"),
    ],
)
def test_create_patron_refuses_bad_input_naming_the_field_and_writes_nothing(net, changes, error, field):
    before = _rows()
    values = {"card_number": "LN0002", "name": "李四", "category": Category.ADULT} | changes

    with pytest.raises(error) as caught:
        services.create_patron(home_library=net.county, actor=None, **values)

    assert caught.value.field == field
    assert _rows() == before


def test_class_card_names_its_responsible_teacher(net):
    patron = services.create_patron(
        card_number="CLASS-3-2",
        name="实验小学三年二班",
        category=Category.INSTITUTIONAL,
        home_library=net.township,
        responsible_person="王老师",
        actor=None,
    )

    assert (patron.category, patron.responsible_person) == ("institutional", "王老师")


def test_card_numbers_and_id_numbers_are_unique_across_the_network(net):
    first = make_patron(library=net.county, card_number="LN0003", id_number=ID)
    before = _rows()

    with pytest.raises(CardNumberTaken):
        make_patron(library=net.other_county, card_number="LN0003")
    with pytest.raises(IdNumberInUse) as caught:
        make_patron(library=net.other_county, card_number="LN0004", id_number=ID)

    assert first.card_number in caught.value.message
    assert _rows() == before


def test_update_patron_changes_only_what_is_given_and_audits_field_names_only(net):
    patron = make_patron(library=net.county, name="王五", phone="13900000000")

    updated = services.update_patron(
        patron=patron, actor=None, name="王五一", home_library=net.township, id_number=ID, email=""
    )

    row = Patron.objects.get(pk=patron.pk)
    assert (row.name, row.home_library_id, row.phone, row.id_number_masked) == (
        "王五一",
        net.township.pk,
        "13900000000",
        "1101**********002X",
    )
    assert updated.name == "王五一"
    event = AuditEvent.objects.get(kind="patron.updated")
    assert event.data == {"changed": ["home_library", "id_number_masked", "name"]}


def test_update_patron_refusal_changes_nothing(net):
    patron = make_patron(library=net.county)
    before = _rows()

    with pytest.raises(InvalidInput):
        services.update_patron(patron=patron, actor=None, name="新名字", email="nope")

    assert _rows() == before


def test_renew_card_moves_the_expiry_and_refuses_the_past(net):
    patron = make_patron(library=net.county, expires_on=date(2025, 1, 1))

    services.renew_card(patron=patron, actor=None, now=T0)
    with pytest.raises(InvalidInput) as caught:
        services.renew_card(patron=patron, actor=None, expires_on=date(2025, 3, 10), now=T0)

    assert Patron.objects.get(pk=patron.pk).expires_on == date(2030, 3, 10)
    assert caught.value.field == "expires_on"
    assert AuditEvent.objects.get(kind="patron.card_renewed").data == {"from": "2025-01-01", "to": "2030-03-10"}


def test_lost_card_blocks_at_once_and_the_replacement_keeps_the_history(net):
    patron = make_patron(library=net.county, card_number="OLD-1")

    # when the card is reported lost, the reader is blocked on the old card
    services.report_lost_card(patron=patron, actor=None, now=T0)
    assert [b.kind for b in selectors.blocks(patron, now=T0)] == ["lost_card"]

    # when the new card is issued, the old number is retired and the lost-card block lifts
    services.replace_card(patron=patron, new_card_number="NEW-1", actor=None, now=T0 + timedelta(days=1))

    assert selectors.find_patron_by_card("NEW-1").pk == patron.pk
    with pytest.raises(CardRetired) as caught:
        selectors.find_patron_by_card("OLD-1")
    assert (caught.value.patron_id, caught.value.field) == (patron.pk, "card")
    assert [(c.number, c.retired_reason) for c in selectors.cards(patron)] == [
        ("OLD-1", "挂失"),
        ("NEW-1", ""),
    ]
    history = selectors.block_history(patron)
    assert [(b.kind, b.lifted_at) for b in history] == [("lost_card", T0 + timedelta(days=1))]
    assert selectors.blocks(Patron.objects.get(pk=patron.pk), now=T0) == []
    with pytest.raises(CardNumberTaken):
        make_patron(card_number="OLD-1")


def test_report_lost_card_with_a_new_number_does_both_in_one_step(net):
    patron = make_patron(library=net.county, card_number="OLD-2")

    replaced = services.report_lost_card(patron=patron, actor=None, reason="钱包被盗", new_card_number="NEW-2", now=T0)

    assert replaced.card_number == "NEW-2"
    assert [(b.reason, b.lifted_at) for b in selectors.block_history(patron)] == [("钱包被盗", T0)]
    kinds = AuditEvent.objects.filter(kind__startswith="patron.card").values_list("kind", flat=True)
    assert sorted(kinds) == ["patron.card_replaced", "patron.card_reported_lost"]


def test_blocks_are_added_with_a_reason_and_lifted_once(net):
    patron = make_patron(library=net.county)
    with pytest.raises(InvalidInput):
        services.add_block(patron=patron, reason=" ", actor=None)

    block = services.add_block(patron=patron, reason="损坏图书未赔偿", actor=None, now=T0)
    assert selectors.blocks(patron, now=T0) == [selectors.rules.Block("manual", "损坏图书未赔偿", block.pk)]

    services.lift_block(block=block, actor=None, now=T0 + timedelta(hours=1))
    with pytest.raises(BlockAlreadyLifted):
        services.lift_block(block=block, actor=None, now=T0 + timedelta(hours=2))

    assert selectors.blocks(patron, now=T0) == []
    assert PatronBlock.objects.get(pk=block.pk).lifted_at == T0 + timedelta(hours=1)


def test_blocks_include_expiry_and_fines_over_the_limit(net, settings):
    settings.SHELFMARK_FINES_BLOCK_LIMIT = "20.00"
    patron = make_patron(library=net.county, expires_on=date(2025, 3, 9))
    Patron.objects.filter(pk=patron.pk).update(fines_owed=Decimal("20.50"))
    patron.refresh_from_db()

    found = selectors.blocks(patron, now=T0)

    assert [b.kind for b in found] == ["expired", "fines_over_limit"]
    assert all(b.block_id is None for b in found)


def test_counters_feed_the_standing(net):
    patron = make_patron(library=net.county)

    for _ in range(4):
        services.record_return(patron=patron, on_time=True)
    services.record_return(patron=patron, on_time=False)
    services.record_lost(patron=patron)

    patron.refresh_from_db()
    assert (patron.on_time_returns, patron.late_returns, patron.lost_items) == (4, 1, 1)
    standing = selectors.standing(patron)
    assert (standing.score, standing.tier) == (650 + 58 - 40 - 120, "poor")
    assert not AuditEvent.objects.filter(kind__contains="return").exists()  # see record_return's docstring


def test_history_opt_in_is_recorded(net):
    patron = make_patron(library=net.county)

    services.set_history_opt_in(patron=patron, opt_in=True, actor=None)

    assert Patron.objects.get(pk=patron.pk).history_opt_in is True
    assert AuditEvent.objects.get(kind="patron.history_opt_in").data == {"opt_in": True}


def test_deposit_ledger_balance_and_refund_limits(net):
    patron = make_patron(library=net.county)

    services.take_deposit(patron=patron, amount="100", actor=None)
    services.refund_deposit(patron=patron, amount=Decimal("30.50"), actor=None)
    assert selectors.deposit_balance(patron) == Decimal("69.50")

    before = list(DepositEntry.objects.values())
    with pytest.raises(DepositInsufficient):
        services.refund_deposit(patron=patron, amount="69.51", actor=None)
    with pytest.raises(InvalidAmount) as caught:
        services.take_deposit(patron=patron, amount="1.005", actor=None)
    assert caught.value.field == "amount"
    assert list(DepositEntry.objects.values()) == before

    last = services.refund_deposit(patron=patron, actor=None)
    assert (last.kind, last.amount) == ("refunded", Decimal("-69.50"))
    assert selectors.deposit_balance(patron) == Decimal("0.00")
    with pytest.raises(DepositInsufficient):
        services.refund_deposit(patron=patron, actor=None)


def test_find_by_id_number_hashes_and_looks_up(net):
    patron = make_patron(library=net.county, id_number=ID)

    assert selectors.find_patron_by_id_number(" 11010519491231002x").pk == patron.pk
    with pytest.raises(PatronNotFound) as caught:
        selectors.find_patron_by_id_number("210102198001011232")
    assert caught.value.field == "id_number" and "2101**********1232" in caught.value.message
    with pytest.raises(PatronNotFound):
        selectors.find_patron_by_card("NO-SUCH-CARD")
