"""ID-card numbers: GB 11643 check character, clear errors naming the field, masking, keyed hash."""

from __future__ import annotations

import pytest
from django.test import override_settings

from shelfmark.patrons import idcard
from shelfmark.patrons.errors import InvalidIdNumber

VALID = "11010519491231002X"


def test_valid_number_is_normalised_from_full_width_spaces_and_lower_case():
    assert idcard.validate(" １１０１０５１９４９１２３１００２x ") == VALID


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("1101051949123100", "17 位数字，后跟一位数字或 X"),  # too short
        ("11010519491231002Y", "17 位数字，后跟一位数字或 X"),
        ("1101051949123A002X", "17 位数字，后跟一位数字或 X"),
        ("110105199002290021", "不是有效的出生日期"),  # 1990 had no 29 February
        ("110105180001010021", "不是有效的出生日期"),
        ("110105194912310021", "校验码不符"),
    ],
)
def test_invalid_numbers_say_what_is_wrong_and_name_the_field(raw, problem):
    with pytest.raises(InvalidIdNumber) as caught:
        idcard.validate(raw)

    assert caught.value.field == "id_number"
    assert caught.value.code == "invalid_id_number"
    assert problem in caught.value.message


def test_every_check_character_is_reachable_and_verified():
    # given 17-digit prefixes whose weighted sums cover every remainder mod 11
    prefixes = {idcard.check_character(f"2101021980010{n:04d}") for n in range(200)}

    assert prefixes == set("10X98765432")


def test_mask_shows_region_and_last_four_only():
    assert idcard.mask("210102198001011232") == "2101**********1232"


def test_keyed_hash_is_stable_keyed_and_ignores_formatting():
    first = idcard.keyed_hash(VALID)

    assert first == idcard.keyed_hash("11010519491231002x") and len(first) == 64
    assert VALID not in first
    with override_settings(SECRET_KEY="another-key-" * 5):
        assert idcard.keyed_hash(VALID) != first
