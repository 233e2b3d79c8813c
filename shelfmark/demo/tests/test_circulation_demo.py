"""`shelfmark demo` circulation: readers of every category, cards that log in, barcodes in the state listed, history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shelfmark.circulation import selectors as circulation_selectors
from shelfmark.circulation import services as circulation
from shelfmark.circulation.models import CirculationEvent, Hold, Loan, Transit
from shelfmark.demo.readers import FEATURED
from shelfmark.demo.scenes import BLOCK_REASON
from shelfmark.demo.tests.conftest import demo_json
from shelfmark.fines.models import Charge, Payment
from shelfmark.holdings.models import ItemStatus
from shelfmark.holdings.selectors import find_item_by_scan
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons.models import Category, Patron
from shelfmark.patrons.services import verify_pin

pytestmark = pytest.mark.django_db


def test_the_json_lists_cards_that_log_in_and_copies_in_the_state_it_names():
    # given the demo loaded
    summary = demo_json()
    cards, items = summary["readers"], summary["items"]
    # then every listed card finds its reader, of the category listed, and its PIN is accepted
    assert {card["category"] for card in cards} == set(Category.values)
    for card in cards:
        patron = patron_selectors.find_patron_by_card(card["card"])
        verify_pin(patron=patron, pin=card["pin"])
        assert (patron.category, patron.name, patron.home_library.code) == (
            card["category"],
            card["name"],
            card["library"],
        )
    # and each listed copy on the shelf scans (barcode or QR code) to an available, loanable book
    assert len(items["available"]) >= 8
    for listed in items["available"]:
        item = find_item_by_scan(listed["barcode"])
        assert find_item_by_scan(listed["qr_code"]) == item
        assert (item.status, item.current_library.code) == (ItemStatus.AVAILABLE, listed["library"])
        rule = circulation_selectors.rule_for(
            library=item.current_library, patron_category=Category.ADULT, item_type=item.item_type
        ).rule
        assert rule.loanable
    # and the first of them really goes out to a reader in good standing at that library
    first = find_item_by_scan(items["available"][0]["barcode"])
    student = patron_selectors.find_patron_by_card(cards[1]["card"])
    loan = circulation.check_out(item=first, patron=student, library=first.current_library, actor=None)
    assert loan.status == Loan.Status.ACTIVE
    # and the copy on loan, on the hold shelf, overdue and in transit are in that state
    on_loan = Loan.objects.get(item__barcode=items["on_loan"]["barcode"], status=Loan.Status.ACTIVE)
    assert on_loan.patron is not None and on_loan.patron.card_number == items["on_loan"]["reader"]
    shelf = find_item_by_scan(items["on_hold_shelf"]["barcode"])
    hold = Hold.objects.get(trapped_item=shelf, status=Hold.Status.READY)
    assert (shelf.status, hold.patron.card_number) == (ItemStatus.ON_HOLD_SHELF, items["on_hold_shelf"]["reader"])
    assert shelf.current_library == hold.pickup_library
    late = Loan.objects.get(item__barcode=items["overdue"]["barcode"], status=Loan.Status.ACTIVE)
    assert late.due_on < timezone.localdate()
    travelling = find_item_by_scan(items["in_transit"]["barcode"])
    assert travelling.status == ItemStatus.IN_TRANSIT
    assert (
        Transit.objects.get(item=travelling, received_at__isnull=True).to_library.code
        == (items["in_transit"]["to_library"])
    )


def test_the_named_readers_each_show_a_case_of_the_desk():
    # given the demo loaded
    demo_json()
    reader = {spec.key: Patron.objects.get(card_number=spec.card) for spec in FEATURED}
    now = timezone.now()
    # then readers of every category are spread over the network, with PINs, some with email or phone
    assert set(Patron.objects.values_list("category", flat=True)) == set(Category.values)
    assert Patron.objects.values("home_library").distinct().count() >= 6
    assert not Patron.objects.filter(pin_hash="").exists()
    assert Patron.objects.exclude(email="").exists() and Patron.objects.exclude(phone="").exists()
    # and the class card names its teacher; the disabled reader is booked for home delivery
    assert reader["class"].responsible_person
    assert Loan.objects.filter(patron=reader["class"], status=Loan.Status.ACTIVE).count() >= 8
    assert reader["disabled"].home_delivery
    assert Hold.objects.filter(patron=reader["disabled"], home_delivery=True, status=Hold.Status.WAITING).exists()
    # and one card has expired, one reader is blocked by hand, one owes fines but may still borrow
    assert [block.kind for block in patron_selectors.blocks(reader["expired"], now=now)] == ["expired"]
    manual = patron_selectors.blocks(reader["blocked"], now=now)
    assert [(block.kind, block.reason) for block in manual] == [("manual", BLOCK_REASON)]
    fines = reader["fines"]
    assert fines.fines_owed > 0
    assert sum(charge.outstanding for charge in Charge.objects.filter(patron=fines)) == fines.fines_owed
    assert patron_selectors.blocks(fines, now=now) == []
    assert patron_selectors.standing(fines).deposit_free
    # and one reader's poor credit means he borrows against a deposit
    deposit = reader["deposit"]
    standing = patron_selectors.standing(deposit)
    assert (standing.tier, standing.deposit_free, deposit.lost_items) == ("poor", False, 2)
    assert patron_selectors.deposit_balance(deposit) > 0
    assert Loan.objects.filter(patron=deposit, status=Loan.Status.ACTIVE).exists()
    # and the main reader keeps his history, has books out, and waits in a queue
    main = reader["main"]
    assert main.history_opt_in and circulation_selectors.loan_history(main).count() >= 3
    assert circulation_selectors.active_loans(main).count() == 2
    waiting = Hold.objects.get(patron=main, status=Hold.Status.WAITING)
    assert circulation_selectors.queue_position(waiting) == 1
    behind = Hold.objects.get(record=waiting.record, patron=reader["senior"], status=Hold.Status.WAITING)
    assert circulation_selectors.queue_position(behind) == 2


def test_a_history_of_loans_returns_fines_renewals_holds_and_transits_lies_in_the_past_months():
    # given the demo loaded
    summary = demo_json()
    now = timezone.now()
    loans = Loan.objects.all()
    # then loans went out over months, all before now, and many came back
    assert loans.count() == summary["circulation"]["loans"] >= 60
    assert loans.filter(checked_out_at__lt=now - timedelta(days=90)).exists()
    assert not loans.filter(checked_out_at__gte=now).exists()
    returned = loans.filter(status=Loan.Status.RETURNED)
    assert returned.count() >= 30
    assert not returned.filter(returned_at__gte=now).exists()
    # and returned loans of readers who did not opt in are pseudonymised, the event log keeps a reader key
    assert returned.filter(patron__isnull=True).exists()
    assert not returned.filter(patron__isnull=True, patron__history_opt_in=True).exists()
    assert not CirculationEvent.objects.filter(reader_key="").exists()
    # and some came back late with a fine, some paid, some renewed, two were lost
    assert Charge.objects.filter(kind="overdue").count() >= 3
    assert Payment.objects.exists()
    assert loans.filter(renewals__gt=0).exists()
    assert loans.filter(status=Loan.Status.LOST).count() >= 2
    # and holds were placed, trapped, collected; copies travelled and arrived; one overdue loan is still out
    kinds = set(CirculationEvent.objects.values_list("kind", flat=True))
    assert kinds >= {"check_out", "check_in", "renew", "hold_placed", "hold_trapped", "lost"}
    assert Hold.objects.filter(status=Hold.Status.FULFILLED).exists()
    assert Hold.objects.filter(status=Hold.Status.READY).exists()
    assert Transit.objects.filter(received_at__isnull=False).exists()
    assert Transit.objects.filter(received_at__isnull=True).exists()
    assert loans.filter(status=Loan.Status.ACTIVE, due_on__lt=timezone.localdate()).exists()
