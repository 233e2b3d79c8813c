"""Barcodes, QR codes and reading scans: pure functions, no database."""

from __future__ import annotations

import pytest

from shelfmark.holdings import identity


def test_check_digit_is_the_ean13_one():
    # given the 12 digits of a real ISBN-13 (978-0-306-40615-7) and of a generated barcode
    assert identity.ean13_check_digit("978030640615") == "7"
    assert identity.ean13_check_digit("200000000001") == "5"


def test_generated_barcodes_are_13_digits_with_prefix_and_check_digit():
    barcode = identity.barcode_for(123)
    assert barcode == "2000000001234"
    assert len(barcode) == 13 and barcode.isdigit()
    assert identity.ean13_check_digit(barcode[:12]) == barcode[12]


def test_qr_codes_use_only_the_unambiguous_alphabet():
    codes = {identity.new_qr_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(code) == identity.QR_LENGTH == 10 for code in codes)
    assert set("".join(codes)) <= set(identity.QR_ALPHABET)
    assert not set(identity.QR_ALPHABET) & set("01ILO")


@pytest.mark.parametrize(
    ("barcode", "valid"),
    [("2000000000015", True), ("LN-00042", True), ("a" * 32, True), ("a" * 33, False), ("12 34", False), ("", False)],
)
def test_barcode_validity(barcode, valid):
    assert identity.is_valid_barcode(barcode) is valid


@pytest.mark.parametrize(
    ("text", "qr_code", "bare"),
    [
        ("2000000000015", None, "2000000000015"),
        ("  2000000000015\r\n", None, "2000000000015"),
        ("ab3cd4ef5g", None, "ab3cd4ef5g"),
        ("http://127.0.0.1:8000/i/AB3CD4EF5G", "AB3CD4EF5G", None),
        ("https://lib.example.cn/i/ab3cd4ef5g/", "AB3CD4EF5G", None),
        ("https://lib.example.cn/opac/i/AB3CD4EF5G?src=label", "AB3CD4EF5G", None),
        ("\thttps://lib.example.cn/i/AB3CD4EF5G \n", "AB3CD4EF5G", None),
        ("/i/AB3CD4EF5G", "AB3CD4EF5G", None),
        ("https://lib.example.cn/books/AB3CD4EF5G", "", None),
    ],
)
def test_reading_a_scan(text, qr_code, bare):
    scan = identity.read_scan(text)
    assert (scan.qr_code, scan.bare) == (qr_code, bare)
