"""The SIP2 wire format: checksums, sequence numbers, field splitting, and the quirks peers are known to send."""

from __future__ import annotations

import pytest

from shelfmark.protocols.sip2 import codec

# A checkin frame with its checksum as published with a SIP2 client (checksum EB80).
SAMPLE = b"09N20160419    12200820160419    122008APReading Room 1|AO830|AB830$28170815|AC|AY2AZ"


def test_checksum_is_the_twos_complement_of_the_byte_sum():
    assert codec.checksum(SAMPLE) == "EB80"
    assert (sum(SAMPLE) + 0xEB80) & 0xFFFF == 0


def test_decode_splits_fixed_and_variable_fields_and_the_sequence():
    message = codec.decode(SAMPLE + b"EB80")
    assert message.command == "09"
    assert message.fixed == {
        "no_block": "N",
        "transaction_date": "20160419    122008",
        "return_date": "20160419    122008",
    }
    assert message.fields == [("AP", "Reading Room 1"), ("AO", "830"), ("AB", "830$28170815"), ("AC", "")]
    assert (message.sequence, message.uses_checksum) == ("2", True)


@pytest.mark.parametrize(
    "frame",
    [
        b"9900802.00AY1AZFCA0",  # checksum right after the fixed fields
        b"9900802.00AY1AZfca0",  # lower-case hex
        b"9900802.00AY1AZFCA0\r\n",  # a line feed after the carriage return
        b"\n9900802.00AY1AZFCA0",  # the line feed left over from the previous frame
    ],
)
def test_decode_accepts_what_peers_send(frame: bytes):
    message = codec.decode(frame)
    assert (message.command, message.sequence, message.uses_checksum) == ("99", "1", True)
    assert message.fixed["protocol_version"] == "2.00"


def test_a_checksum_without_zero_padding_is_accepted():
    head = b"9300CNa|COb|AY0AZ"
    value = codec.checksum(head)
    assert codec.decode(head + value.lstrip("0").encode()).get("CN") == "a"


def test_a_checksum_over_characters_instead_of_utf8_bytes_is_accepted():
    head = "23019" + "20260302    100000" + "AO图书馆|AAR1|AY4AZ"
    by_characters = f"{-sum(map(ord, head)) & 0xFFFF:04X}"
    assert codec.decode((head + by_characters).encode()).get("AO") == "图书馆"


def test_a_missing_pipe_before_the_sequence_number_is_tolerated():
    head = b"2300120260302    100000AOLIB|AAR1AY5AZ"
    message = codec.decode(head + codec.checksum(head).encode())
    assert (message.get("AA"), message.sequence) == ("R1", "5")


def test_a_wrong_checksum_is_a_frame_error():
    with pytest.raises(codec.FrameError) as raised:
        codec.decode(SAMPLE + b"EB81")
    assert raised.value.uses_checksum is True


def test_an_unknown_command_and_text_that_does_not_decode_are_frame_errors():
    with pytest.raises(codec.UnknownCommand):
        codec.decode(b"42abc")
    with pytest.raises(codec.FrameError):
        codec.decode(b"XXabc")
    with pytest.raises(codec.FrameError):
        codec.decode("23019图书馆".encode("gb18030"), encoding="utf-8")


def test_a_known_command_cut_short_names_the_missing_field():
    with pytest.raises(codec.MalformedMessage) as raised:
        codec.decode(b"11YN20260302    10AY3")
    assert raised.value.command == "11"
    assert "transaction_date" in raised.value.reason


def test_repeated_fields_keep_their_order():
    message = codec.decode(b"6600002000120260302    100000AOLIB|BN1|BN2|BM3|")
    assert message.all("BN") == ["1", "2"]
    assert message.get("BM") == "3"
    assert message.get("AF", "none") == "none"


def test_encode_adds_sequence_and_checksum_only_when_asked_and_checks_widths():
    plain = codec.encode(codec.Message("94", {"ok": "1"}))
    checked = codec.encode(codec.Message("94", {"ok": "1"}, sequence="7", uses_checksum=True))
    assert plain == b"941\r"
    assert checked.startswith(b"941AY7AZ") and codec.decode(checked[:-1]).sequence == "7"
    with pytest.raises(ValueError, match="ok"):
        codec.encode(codec.Message("94", {"ok": "10"}))


def test_encode_keeps_delimiters_and_control_characters_out_of_values():
    data = codec.encode(codec.Message("36", {"end_session": "Y", "transaction_date": "x" * 18}, [("AF", "a|b\rc")]))
    assert data.endswith(b"AFa/b c|\r")


def test_encode_in_gb18030():
    data = codec.encode(codec.Message("94", {"ok": "0"}, [("AF", "密码错误")]), encoding="gb18030")
    assert "密码错误".encode("gb18030") in data


def test_resend_request_never_has_a_sequence_number():
    assert codec.request_resend(uses_checksum=False) == b"96\r"
    assert codec.request_resend(uses_checksum=True) == b"96AZFEF6\r"


def test_masked_hides_pins_and_passwords_wherever_they_stand():
    assert codec.masked("9300CNkiosk|COsecret|CPx|") == "9300CNkiosk|CO****|CPx|"
    assert codec.masked("9300COsecret|CNkiosk|") == "9300CO****|CNkiosk|"
    assert codec.masked("2300120260302    100000AOL|AAR1|ACterm|AD1234|AY1AZ0000") == (
        "2300120260302    100000AOL|AAR1|AC****|AD****|AY1AZ0000"
    )
