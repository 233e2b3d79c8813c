"""Kiosk conversations replayed through the codec and handlers: each frame in, the exact answer out, the data after."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from shelfmark.circulation.models import Hold, IdempotencyKey, Loan
from shelfmark.core.models import AuditEvent
from shelfmark.fines import services as fine_services
from shelfmark.fines.models import Payment
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.patrons.models import PatronBlock
from shelfmark.protocols.sip2 import codec
from shelfmark.protocols.sip2.tests.conftest import DATE, PASSWORD, PIN, Kiosk

pytestmark = pytest.mark.django_db

BLANK = " " * 18


def framed(body: str, sequence: int) -> str:
    """Add the sequence number and checksum a kiosk with error detection sends."""
    head = f"{body}AY{sequence}AZ"
    return head + codec.checksum(head.encode())


def loans_of(kiosk: Kiosk) -> list[tuple[str, str]]:
    return list(Loan.objects.filter(status=Loan.Status.ACTIVE).values_list("item__barcode", "reader_key"))


def checkout_frame(card: str = "R0001", barcode: str = "30000", *, pin: str = PIN, no_block: str = "N") -> str:
    return f"11Y{no_block}{DATE}{BLANK}AOLN-SY-KP|AA{card}|AB{barcode}|AC|AD{pin}|"


# ------------------------------------------------------------------------------------------- login and status


def test_login_then_sc_status_lists_the_supported_messages_and_the_terminal_location(kiosk: Kiosk):
    # given a kiosk that logged in
    session = kiosk.session()
    # when it sends its status
    answer = kiosk.send(session, "9900802.00")
    # then it is on line, may check in and out, and sees every message but patron enable as supported
    assert answer.command == "98"
    assert answer.fixed["online_status"] == "Y"
    assert answer.fixed["checkout_ok"] == answer.fixed["checkin_ok"] == "Y"
    assert answer.fixed["protocol_version"] == "2.00"
    assert answer.get("AO") == "LN-SY-KP"
    assert answer.get("AM") == "康平县图书馆"
    assert answer.get("AN") == "KP-KIOSK"
    assert answer.get("BX") == "YYYYYYYYYYYYNYYY"


def test_a_wrong_password_is_refused_and_three_end_the_connection(kiosk: Kiosk):
    session = kiosk.session(login=False)
    for attempt in range(3):
        assert session.respond(b"9300CNkp-kiosk-1|COwrong|\r") == "940AF登录名或密码不正确，或终端已停用。|\r".encode()
        assert session.closing is (attempt == 2)
    assert session.terminal is None


def test_nothing_but_status_is_answered_before_login(kiosk: Kiosk):
    # given a connection that has not logged in
    session = kiosk.session(login=False)
    # when it asks for status and then tries to lend
    status = kiosk.send(session, "9900802.00")
    refused = kiosk.send(session, checkout_frame())
    # then it is told it is off line and that it must log in, and nothing is lent
    assert status.fixed["online_status"] == "N"
    assert refused.command == "12" and refused.fixed["ok"] == "0"
    assert "93" in refused.get("AF")
    assert loans_of(kiosk) == []


def test_a_disabled_terminal_cannot_log_in(kiosk: Kiosk):
    from shelfmark.protocols.sip2 import services

    services.set_enabled(terminal=kiosk.terminal, enabled=False, actor=None)
    session = kiosk.session(login=False)
    assert (
        session.respond(f"9300CNkp-kiosk-1|CO{PASSWORD}|\r".encode())
        == "940AF登录名或密码不正确，或终端已停用。|\r".encode()
    )


# ------------------------------------------------------------------------------------------------- readers


def test_patron_information_with_the_right_pin_lists_the_charged_items(kiosk: Kiosk):
    # given a reader with one loan
    session = kiosk.session()
    kiosk.send(session, checkout_frame())
    # when the kiosk asks for the charged items with the PIN
    answer = kiosk.send(session, f"63019{DATE}  Y       AOLN-SY-KP|AAR0001|AC|AD{PIN}|BP1|BQ5|")
    # then the reader is valid, the PIN right, and the one loan listed
    assert answer.command == "64"
    assert answer.fixed["patron_status"] == " " * 14
    assert answer.fixed["language"] == "019"
    assert answer.fixed["charged_items_count"] == "0001"
    assert answer.fixed["overdue_items_count"] == "0000"
    assert (answer.get("BL"), answer.get("CQ")) == ("Y", "Y")
    assert answer.get("AE") == "张三丰"
    assert answer.all("AU") == ["30000"]
    assert (answer.get("BH"), answer.get("BV")) == ("CNY", "0.00")


def test_patron_information_with_a_wrong_pin_says_so_and_counts_the_try(kiosk: Kiosk):
    session = kiosk.session()
    answer = kiosk.send(session, f"63019{DATE}          AOLN-SY-KP|AAR0001|AD9999|")
    assert (answer.get("BL"), answer.get("CQ")) == ("Y", "N")
    assert "4" in answer.get("AF")  # tries left
    kiosk.reader.refresh_from_db()
    assert kiosk.reader.failed_pin_attempts == 1


def test_an_unknown_card_is_not_a_valid_patron(kiosk: Kiosk):
    session = kiosk.session()
    answer = kiosk.send(session, f"23019{DATE}AOLN-SY-KP|AANOSUCH|AD{PIN}|")
    assert answer.command == "24"
    assert answer.get("BL") == "N"
    assert answer.fixed["patron_status"] == "YYYY          "
    assert "NOSUCH" in answer.get("AF")


def test_patron_information_pages_through_the_list(kiosk: Kiosk):
    session = kiosk.session()
    for barcode in ("30000", "30001", "30002"):
        assert kiosk.send(session, checkout_frame(barcode=barcode)).fixed["ok"] == "1"
    answer = kiosk.send(session, f"63019{DATE}  Y       AOLN-SY-KP|AAR0001|BP2|BQ3|")
    assert answer.fixed["charged_items_count"] == "0003"
    assert len(answer.all("AU")) == 2


def test_block_patron_blocks_the_card_and_answers_with_its_status(kiosk: Kiosk):
    session = kiosk.session()
    answer = kiosk.send(session, f"01Y{DATE}AOLN-SY-KP|ALCard left in machine|AAR0001|AC|")
    assert answer.command == "24"
    assert answer.fixed["patron_status"].startswith("YY Y")
    block = PatronBlock.objects.get(patron=kiosk.reader)
    assert "kp-kiosk-1" in block.reason and "Card left in machine" in block.reason
    assert block.actor == kiosk.terminal.user


def test_end_session_forgets_the_pin(kiosk: Kiosk):
    # given a reader who gave the PIN, then ended the session
    session = kiosk.session()
    kiosk.send(session, f"63019{DATE}          AOLN-SY-KP|AAR0001|AD{PIN}|")
    assert kiosk.send(session, f"35{DATE}AOLN-SY-KP|AAR0001|").fixed["end_session"] == "Y"
    # when the kiosk lends without the PIN
    answer = kiosk.send(session, checkout_frame(pin=""))
    # then it is refused and nothing is lent
    assert answer.fixed["ok"] == "0"
    assert answer.get("AF") == "请先输入读者密码。"
    assert loans_of(kiosk) == []


# ------------------------------------------------------------------------------------------------- lending


def test_checkout_lends_under_the_desk_rules_with_the_due_date(kiosk: Kiosk):
    session = kiosk.session()
    answer = kiosk.send(session, checkout_frame())
    loan = Loan.objects.get(status=Loan.Status.ACTIVE)
    assert answer.command == "12"
    assert (answer.fixed["ok"], answer.fixed["renewal_ok"], answer.fixed["desensitize"]) == ("1", "Y", "Y")
    assert answer.get("AB") == "30000"
    assert answer.get("AJ") == "辽宁地方志研究"
    assert answer.get("AH") == loan.due_on.strftime("%Y%m%d") + "    235959"
    assert loan.patron == kiosk.reader
    assert (loan.library, loan.service_point) == (kiosk.net.county, kiosk.terminal.service_point)
    assert AuditEvent.objects.get(kind="loan.created").actor == kiosk.terminal.user


def test_a_retried_checkout_makes_one_loan_on_the_same_or_a_new_connection(kiosk: Kiosk):
    # given a checkout with error detection that was answered
    session = kiosk.session()
    frame = framed(checkout_frame(), 3)
    first = session.respond(frame.encode() + b"\r")
    # when the kiosk sends the same frame again, then on a new connection after a timeout
    again = session.respond(frame.encode() + b"\r")
    elsewhere = kiosk.session().respond(frame.encode() + b"\r")
    # then all three answers are the first one and there is one loan
    assert first == again
    assert first is not None and elsewhere is not None
    assert first[:6] == elsewhere[:6] == b"121YNY"
    assert Loan.objects.count() == 1
    assert IdempotencyKey.objects.filter(operation="check_out").count() == 1


def test_checkout_refusals_carry_the_reason_and_change_nothing(kiosk: Kiosk):
    # given an item already lent to another reader
    session = kiosk.session()
    kiosk.send(session, checkout_frame(card="R0002"))
    before = loans_of(kiosk)
    # when the first reader tries to borrow it
    answer = kiosk.send(session, checkout_frame())
    # then the answer says why and the loans are as they were
    assert answer.fixed["ok"] == "0"
    assert answer.fixed["desensitize"] == "N"
    assert "30000" in answer.get("AF")
    assert loans_of(kiosk) == before


def test_a_no_block_checkout_is_checked_and_recorded_with_the_refusal_as_override(kiosk: Kiosk):
    # given a blocked reader and an offline checkout the kiosk already made
    from shelfmark.patrons import services as patrons

    patrons.add_block(patron=kiosk.reader, reason="证件待核实", actor=None)
    session = kiosk.session()
    # when the kiosk uploads it with no block
    answer = kiosk.send(session, checkout_frame(no_block="Y"))
    # then the loan is recorded, and its override reason names the terminal and the block
    loan = Loan.objects.get(status=Loan.Status.ACTIVE)
    assert answer.fixed["ok"] == "1"
    assert "kp-kiosk-1" in loan.override_reason and "证件待核实" in loan.override_reason
    assert "证件待核实" in answer.get("AF")
    created = AuditEvent.objects.get(kind="loan.created")
    assert created.data["overridden"] == ["patron_blocked"]


def test_a_no_block_checkout_is_refused_when_the_terminal_takes_no_offline_transactions(kiosk: Kiosk):
    from shelfmark.patrons import services as patrons

    kiosk.terminal.accept_offline = False
    kiosk.terminal.save()
    patrons.add_block(patron=kiosk.reader, reason="证件待核实", actor=None)
    answer = kiosk.send(kiosk.session(), checkout_frame(no_block="Y"))
    assert answer.fixed["ok"] == "0"
    assert loans_of(kiosk) == []


def test_checkin_returns_the_loan_and_puts_the_copy_in_the_shelving_bin(kiosk: Kiosk):
    session = kiosk.session()
    kiosk.send(session, checkout_frame())
    answer = kiosk.send(session, f"09N{DATE}{DATE}APKP-KIOSK|AOLN-SY-KP|AB30000|AC|")
    assert answer.command == "10"
    assert (answer.fixed["ok"], answer.fixed["resensitize"], answer.fixed["alert"]) == ("1", "Y", "N")
    assert answer.get("CL") == "1"
    assert answer.get("AQ") == "LN-SY-KP"
    assert not answer.has("CV")
    assert Loan.objects.get().status == Loan.Status.RETURNED
    assert Item.objects.get(barcode="30000").status == ItemStatus.AVAILABLE


def test_checkin_of_a_copy_held_at_another_library_alerts_the_sorter_with_bin_and_destination(kiosk: Kiosk):
    # given the copy on loan and another reader's hold on the title for pickup at the city library
    from shelfmark.circulation import services as circulation

    session = kiosk.session()
    kiosk.send(session, checkout_frame())
    circulation.place_hold(
        patron=kiosk.other_reader, record=kiosk.items[0].record, pickup_library=kiosk.net.city, actor=None
    )
    kiosk.terminal.sort_bins = {"transit:LN-SY": "7"}
    kiosk.terminal.save()
    session = kiosk.session()
    # when a sorter returns it
    answer = kiosk.send(session, f"09N{DATE}{DATE}APKP-KIOSK|AOLN-SY-KP|AB30000|")
    # then it is to travel to the city for that hold
    assert answer.fixed["alert"] == "Y"
    assert answer.fixed["resensitize"] == "N"
    assert answer.get("CV") == "02"
    assert answer.get("CT") == "LN-SY"
    assert answer.get("CL") == "7"
    assert answer.get("CY") == "R0002"
    assert answer.get("DA") == "李*"
    assert Hold.objects.get().status == Hold.Status.IN_TRANSIT


def test_checkin_of_an_unknown_barcode_is_refused_into_the_error_bin(kiosk: Kiosk):
    answer = kiosk.send(kiosk.session(), f"09N{DATE}{DATE}APKP-KIOSK|AOLN-SY-KP|AB99999|")
    assert (answer.fixed["ok"], answer.fixed["alert"]) == ("0", "Y")
    assert answer.get("CL") == "9"
    assert "99999" in answer.get("AF")


def test_renew_extends_the_loan_once_then_says_the_limit(kiosk: Kiosk):
    session = kiosk.session()
    kiosk.send(session, checkout_frame())
    due = Loan.objects.get().due_on
    kiosk.clock[0] = kiosk.clock[0].replace(day=20)
    renewed = kiosk.send(session, f"29NN{DATE}{BLANK}AOLN-SY-KP|AAR0001|AB30000|")
    again = kiosk.send(session, f"29NN20260320    100001{BLANK}AOLN-SY-KP|AAR0001|AB30000|")
    loan = Loan.objects.get()
    assert renewed.command == "30" and renewed.fixed["ok"] == "1"
    assert loan.renewals == 1 and loan.due_on > due
    assert renewed.get("AH") == loan.due_on.strftime("%Y%m%d") + "    235959"
    assert again.fixed["ok"] == "0"
    assert "1" in again.get("AF")


def test_renew_all_lists_what_was_and_was_not_renewed(kiosk: Kiosk):
    from shelfmark.circulation import services as circulation

    session = kiosk.session()
    kiosk.send(session, checkout_frame(barcode="30000"))
    kiosk.send(session, checkout_frame(barcode="30001"))
    circulation.place_hold(
        patron=kiosk.other_reader,
        record=kiosk.items[0].record,
        item=kiosk.items[0],
        pickup_library=kiosk.net.county,
        actor=None,
    )
    answer = kiosk.send(session, f"65{DATE}AOLN-SY-KP|AAR0001|")
    assert answer.command == "66"
    # the copy another reader booked stays due; the other copy is renewed
    assert (answer.fixed["ok"], answer.fixed["renewed_count"], answer.fixed["unrenewed_count"]) == ("1", "0001", "0001")
    assert (answer.all("BM"), answer.all("BN")) == (["30001"], ["30000"])
    assert "30000" in answer.get("AF")
    assert dict(Loan.objects.values_list("item__barcode", "renewals")) == {"30000": 0, "30001": 1}


# ---------------------------------------------------------------------------------------------------- items


def test_item_information_tells_status_due_date_and_places(kiosk: Kiosk):
    session = kiosk.session()
    kiosk.send(session, checkout_frame())
    answer = kiosk.send(session, f"17{DATE}AOLN-SY-KP|AB30000|")
    assert answer.command == "18"
    assert answer.fixed["circulation_status"] == "04"
    assert answer.get("AH") == Loan.objects.get().due_on.strftime("%Y%m%d") + "    235959"
    assert (answer.get("AQ"), answer.get("AP"), answer.get("CF")) == ("LN-SY-KP", "LN-SY-KP", "0000")
    assert answer.get("AJ") == "辽宁地方志研究"


def test_item_status_update_records_the_shelf_a_smart_shelf_reports(kiosk: Kiosk):
    answer = kiosk.send(kiosk.session(), f"19{DATE}AOLN-SY-KP|AB30001|AC|CH智能书架A-03|")
    assert (answer.command, answer.fixed["item_properties_ok"]) == ("20", "1")
    assert Item.objects.get(barcode="30001").shelving_location == "智能书架A-03"


def test_hold_places_and_cancels_a_title_booking(kiosk: Kiosk):
    session = kiosk.session()
    placed = kiosk.send(session, f"15+{DATE}BSLN-SY|BY2|AOLN-SY-KP|AAR0001|AD{PIN}|AB30000|")
    hold = Hold.objects.get()
    assert (placed.command, placed.fixed["ok"], placed.fixed["available"]) == ("16", "1", "N")
    assert (placed.get("BS"), placed.get("BR")) == ("LN-SY", "1")
    assert hold.item is None and hold.pickup_library == kiosk.net.city
    cancelled = kiosk.send(session, f"15-{DATE}AOLN-SY-KP|AAR0001|AB30000|")
    assert cancelled.fixed["ok"] == "1"
    assert Hold.objects.get().status == Hold.Status.CANCELLED


def test_fee_paid_settles_fines_once_per_transaction_id(kiosk: Kiosk):
    # given a reader owing 3.50
    fine_services.add_charge(patron=kiosk.reader, kind="manual", amount="3.50", source="test:1", actor=None)
    session = kiosk.session()
    frame = f"37{DATE}0100CNYBV2.00|AOLN-SY-KP|AAR0001|AD{PIN}|BKTX-778|"
    # when the kiosk reports a payment of 2.00, twice with the same transaction id
    first = kiosk.send(session, frame)
    second = kiosk.send(kiosk.session(), frame)
    # then one payment is taken and the reader owes 1.50
    assert (first.command, first.fixed["payment_accepted"], first.get("BK")) == ("38", "Y", "TX-778")
    assert second.fixed["payment_accepted"] == "Y"
    assert Payment.objects.get().amount == Decimal("2.00")
    kiosk.reader.refresh_from_db()
    assert kiosk.reader.fines_owed == Decimal("1.50")


def test_fee_paid_over_what_is_owed_is_refused_with_nothing_taken(kiosk: Kiosk):
    answer = kiosk.send(kiosk.session(), f"37{DATE}0100CNYBV9.00|AOLN-SY-KP|AAR0001|AD{PIN}|")
    assert answer.fixed["payment_accepted"] == "N"
    assert Payment.objects.count() == 0


# ---------------------------------------------------------------------------------------------- bad input


def test_a_wrong_checksum_gets_a_resend_and_changes_nothing(kiosk: Kiosk):
    session = kiosk.session()
    frame = framed(checkout_frame(), 1)
    broken = frame[:-4] + ("0000" if not frame.endswith("0000") else "0001")
    assert session.respond(broken.encode() + b"\r") == b"96AZFEF6\r"
    assert loans_of(kiosk) == []
    # and the good frame afterwards is served
    answer = session.respond(frame.encode() + b"\r")
    assert answer is not None and answer.startswith(b"121")


def test_an_unknown_command_gets_a_resend(kiosk: Kiosk):
    assert kiosk.session().respond(b"42garbage|\r") == b"96\r"


def test_a_message_cut_short_is_refused_naming_the_field(kiosk: Kiosk):
    answer = kiosk.send(kiosk.session(), "11YN2026030")
    assert (answer.command, answer.fixed["ok"]) == ("12", "0")
    assert "transaction_date" in answer.get("AF")
    assert loans_of(kiosk) == []


def test_a_barcode_with_odd_characters_is_refused(kiosk: Kiosk):
    answer = kiosk.send(kiosk.session(), checkout_frame(barcode="300\x0700"))
    assert answer.fixed["ok"] == "0"
    assert "AB" in answer.get("AF")
    assert loans_of(kiosk) == []


def test_another_institution_is_refused(kiosk: Kiosk):
    answer = kiosk.send(kiosk.session(), checkout_frame().replace("AOLN-SY-KP", "AOOTHER"))
    assert answer.fixed["ok"] == "0"
    assert "OTHER" in answer.get("AF")
    assert loans_of(kiosk) == []


def test_request_acs_resend_repeats_the_last_answer(kiosk: Kiosk):
    session = kiosk.session()
    status = session.respond(b"9900802.00\r")
    assert session.respond(b"97\r") == status


def test_english_requests_get_english_reasons(kiosk: Kiosk):
    answer = kiosk.send(kiosk.session(), f"63001{DATE}          AOLN-SY-KP|AANOSUCH|")
    assert answer.fixed["language"] == "001"
    assert answer.get("AF") == "No reader with card number NOSUCH."


def test_a_gb18030_terminal_gets_names_in_gb18030(kiosk: Kiosk):
    kiosk.terminal.encoding = "gb18030"
    kiosk.terminal.save()
    session = kiosk.session()
    answer = session.respond(f"63019{DATE}          AOLN-SY-KP|AAR0001|".encode("gb18030") + b"\r")
    assert answer is not None and "张三丰".encode("gb18030") in answer
    assert "张三丰".encode() not in answer


def test_the_message_log_masks_pins_and_passwords(kiosk: Kiosk):
    session = kiosk.session()
    kiosk.send(session, checkout_frame())
    text = (kiosk.log_dir / "kp-kiosk-1.log").read_text() + (kiosk.log_dir / "_before-login.log").read_text()
    assert PASSWORD not in text
    assert f"AD{PIN}" not in text
    assert "AD****" in text and "CO****" in text
    assert "AB30000" in text


def test_a_wrong_pin_after_a_right_one_undoes_the_verification(kiosk: Kiosk):
    session = kiosk.session()
    assert kiosk.send(session, f"63019{DATE}          AOLN-SY-KP|AAR0001|AD{PIN}|").get("CQ") == "Y"
    assert kiosk.send(session, f"63019{DATE}          AOLN-SY-KP|AAR0001|AD9999|").get("CQ") == "N"
    answer = kiosk.send(session, checkout_frame(pin=""))
    assert (answer.fixed["ok"], answer.get("AF")) == ("0", "请先输入读者密码。")
    assert loans_of(kiosk) == []


def test_the_same_pin_again_in_one_session_is_not_checked_twice(
    kiosk: Kiosk, policy_cache: None, django_assert_num_queries: Any
):
    # given a reader whose PIN this session verified (and the production cache of the network tree)
    session = kiosk.session()
    kiosk.send(session, f"23019{DATE}AOLN-SY-KP|AAR0001|AD{PIN}|")
    # when the next message carries the same PIN, it costs no PIN check: the reader, then one count of loans,
    # bookings, blocks and charges (the reader has none of them, so no list is read)
    with django_assert_num_queries(2):
        answer = kiosk.send(session, f"63019{DATE}          AOLN-SY-KP|AAR0001|AD{PIN}|")
    assert answer.get("CQ") == "Y"


def test_a_copy_level_hold_and_a_title_named_by_control_number(kiosk: Kiosk):
    session = kiosk.session()
    copy = kiosk.send(session, f"15+{DATE}BY3|AOLN-SY-KP|AAR0001|AD{PIN}|AB30002|")
    assert copy.fixed["ok"] == "1"
    assert Hold.objects.get().item == kiosk.items[2]
    record = kiosk.items[0].record
    again = kiosk.send(session, f"15+{DATE}AOLN-SY-KP|AAR0001|AJ{record.control_number}|")
    assert again.fixed["ok"] == "0"  # the reader already has a booking for this title
    assert Hold.objects.count() == 1
    unknown = kiosk.send(session, f"15+{DATE}AOLN-SY-KP|AAR0001|AJNO-SUCH-TITLE|")
    assert unknown.fixed["ok"] == "0" and "NO-SUCH-TITLE" in unknown.get("AF")


def test_a_terminal_disabled_during_a_session_is_no_longer_served(kiosk: Kiosk):
    from shelfmark.protocols.sip2 import services

    session = kiosk.session()
    services.set_enabled(terminal=kiosk.terminal, enabled=False, actor=None)
    session._checked_at = 0.0  # the session looks again at once instead of within five seconds
    answer = kiosk.send(session, checkout_frame())
    assert (answer.fixed["ok"], answer.get("AF")) == ("0", "终端已停用。")
    assert session.closing and session.terminal is None
    assert loans_of(kiosk) == []
