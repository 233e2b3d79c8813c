import pytest

from shelfmark.catalog import isbn


@pytest.mark.parametrize(
    ("written", "expected_13"),
    [
        ("0-19-852663-6 (pbk.)", "9780198526636"),
        ("0198526636", "9780198526636"),
        ("978-0-19-852663-6", "9780198526636"),
        ("978 0 19 852663 6", "9780198526636"),
        ("020161622x (alk. paper)", "9780201616224"),
        ("ISBN 7-02-000220-X : CNY25.00", "9787020002207"),
        ("9787020002207", "9787020002207"),
        ("979-10-90636-07-1", "9791090636071"),
    ],
)
def test_valid_isbns_in_any_written_form_become_isbn_13(written, expected_13):
    assert isbn.to_13(written) == expected_13


@pytest.mark.parametrize("written", ["0-19-852663-7", "9780198526635", "12345", "", "pbk.", "9771234567003"])
def test_wrong_check_digits_and_non_isbns_give_nothing(written):
    assert isbn.to_13(written) == ""
    assert isbn.to_10(written) == ""


def test_isbn_13_converts_back_to_10_with_its_own_check_digit():
    assert isbn.to_10("978-0-201-61622-4") == "020161622X"
    assert isbn.to_10("9787020002207") == "702000220X"
    assert isbn.to_10("979-10-90636-07-1") == ""  # 979 numbers have no ten-digit form


def test_check_digits_follow_the_isbn_rules():
    assert isbn.check_digit_10("020161622") == "X"
    assert isbn.check_digit_13("978020161622") == "4"
    assert isbn.is_valid("020161622X") and not isbn.is_valid("0201616220")
