"""The demo's circulation rules, read back through the real rule choice at every library of the demo network."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shelfmark.circulation import selectors
from shelfmark.circulation.models import CirculationRule, ReturnPolicy
from shelfmark.demo.network import load_network
from shelfmark.demo.policies import load_rules
from shelfmark.holdings.models import ItemType
from shelfmark.libraries.models import Level
from shelfmark.patrons.models import Category

pytestmark = pytest.mark.django_db

TERMS = ("loanable", "loan_days", "max_loans", "renewals", "holds_allowed", "fine_per_day", "fine_cap")


def terms(rule: CirculationRule) -> tuple[object, ...]:
    return tuple(getattr(rule, name) for name in TERMS)


@pytest.fixture
def libraries():
    libraries = load_network()
    load_rules(libraries)
    return libraries


def test_reference_local_and_rare_copies_stay_in_every_library_for_every_reader(libraries):
    # given the demo rules, with libraries (沈阳, 庄河) that change the terms of their books
    # when any reader asks for a reference work, a local document or a rare book anywhere in the network
    for library in libraries.values():
        for category in Category.values:
            for item_type in (ItemType.REFERENCE, ItemType.LOCAL, ItemType.RARE):
                rule = selectors.rule_for(library=library, patron_category=category, item_type=item_type).rule
                # then it is for use in the library only, and cannot be booked
                assert (rule.loanable, rule.holds_allowed, rule.library_id) == (False, False, None), (
                    library.code,
                    category,
                    item_type,
                )


def test_the_network_default_lends_for_30_days_with_one_renewal_at_ten_fen_a_day(libraries):
    rule = selectors.rule_for(library=libraries["LN"], patron_category=Category.ADULT, item_type=ItemType.BOOK).rule

    assert terms(rule) == (True, 30, 10, 1, True, Decimal("0.10"), Decimal("30.00"))
    assert (rule.grace_days, rule.return_policy) == (0, ReturnPolicy.HOME)


def test_children_borrow_for_shorter_with_fewer_books_and_a_lower_fine(libraries):
    child = selectors.rule_for(library=libraries["LN"], patron_category=Category.CHILD, item_type=ItemType.BOOK)
    picture_book = selectors.rule_for(
        library=libraries["LN-DL"], patron_category=Category.ADULT, item_type=ItemType.CHILDREN
    ).rule

    assert terms(child.rule) == (True, 21, 5, 1, True, Decimal("0.05"), Decimal("10.00"))
    assert (picture_book.loan_days, picture_book.max_loans) == (21, 5)


def test_shenyang_floats_its_books_within_the_city_and_keeps_each_categorys_terms(libraries):
    # given the network's terms (read at 大连, which changes nothing) and 沈阳's rows
    for category in Category.values:
        for item_type in (ItemType.BOOK, ItemType.CHILDREN):
            network = selectors.rule_for(library=libraries["LN-DL"], patron_category=category, item_type=item_type)
            # when a reader borrows at a county below 沈阳
            city = selectors.rule_for(library=libraries["LN-SY-KP"], patron_category=category, item_type=item_type)
            # then the terms are the network's, and the copy floats within the city
            assert terms(city.rule) == terms(network.rule), (category, item_type)
            assert (city.rule.return_policy, city.rule.float_level) == (ReturnPolicy.FLOATING, Level.CITY)
            assert city.rule.library == libraries["LN-SY"]
    rule = selectors.rule_for(library=libraries["LN-SY"], patron_category=Category.ADULT, item_type=ItemType.BOOK).rule
    stays = selectors.return_route(rule=rule, home_library=libraries["LN-SY-FK"], returned_at=libraries["LN-SY-SR1"])
    goes_home = selectors.return_route(rule=rule, home_library=libraries["LN"], returned_at=libraries["LN-SY"])
    assert (stays.stays, goes_home.stays) == (True, False)


def test_zhuanghe_lends_longer_with_grace_days_and_a_lower_cap(libraries):
    # when an adult and a child borrow a book at 庄河 and at its city, 大连
    county = selectors.rule_for(library=libraries["LN-DL-ZH"], patron_category=Category.ADULT, item_type="book").rule
    city = selectors.rule_for(library=libraries["LN-DL"], patron_category=Category.ADULT, item_type="book").rule
    child = selectors.rule_for(library=libraries["LN-DL-ZH"], patron_category=Category.CHILD, item_type="book").rule
    # then 庄河 gives 15 more days, 3 grace days and a 10 yuan cap; the child's own terms still apply there
    assert (county.loan_days, county.grace_days, county.fine_cap) == (45, 3, Decimal("10.00"))
    assert (city.loan_days, city.grace_days, city.fine_cap) == (30, 0, Decimal("30.00"))
    assert (child.loan_days, child.max_loans, child.fine_per_day, child.grace_days) == (36, 5, Decimal("0.05"), 3)


def test_disabled_readers_pay_no_fines_and_class_cards_take_a_class_set(libraries):
    disabled = selectors.rule_for(library=libraries["LN"], patron_category=Category.DISABLED, item_type="children")
    class_card = selectors.rule_for(
        library=libraries["LN-SY"], patron_category=Category.INSTITUTIONAL, item_type="children"
    )

    assert (disabled.rule.fine_per_day, disabled.rule.fine_cap, disabled.rule.loan_days) == (Decimal("0.00"), None, 60)
    assert (class_card.rule.max_loans, class_card.rule.loan_days) == (50, 60)


def test_loading_the_rules_again_adds_none_and_keeps_what_staff_changed(libraries):
    # given staff lengthened the network default after the demo was loaded
    count = CirculationRule.objects.count()
    CirculationRule.objects.filter(library=None, patron_category="", item_type="").update(loan_days=35)
    # when the demo rules load again
    counts = load_rules(libraries)
    # then nothing is added and the change stands
    assert counts == {"rules": count, "rules_created": 0}
    assert CirculationRule.objects.get(library=None, patron_category="", item_type="").loan_days == 35
