"""Notice texts: every kind in both languages, plain text, Chinese unless English is asked for."""

from __future__ import annotations

from datetime import date

import pytest

from shelfmark.notices.models import Kind
from shelfmark.notices.rendering import UnknownNoticeKind, notice_language, render_notice

CONTEXT = {
    "patron_name": "王小明",
    "library_name": "康平县图书馆",
    "title": "红楼梦",
    "pickup_name": "康平镇分馆服务台",
    "expires_on": date(2027, 3, 8),
    "items": [
        {"title": "红楼梦", "due_date": date(2027, 3, 1), "days_overdue": 5},
        {"title": "Tom & Jerry <1>", "due_date": date(2027, 3, 2), "days_overdue": 4},
    ],
}


def test_overdue_lists_each_item_with_its_due_date_and_days_late():
    text = render_notice("overdue", CONTEXT)

    assert text.subject == "【康平县图书馆】借阅逾期通知"
    assert "- 《红楼梦》，应还日期 2027-03-01，已逾期 5 天\n" in text.body
    assert "- 《Tom & Jerry <1>》，应还日期 2027-03-02，已逾期 4 天\n" in text.body  # plain text, not HTML-escaped
    assert text.body.startswith("王小明，您好：")


def test_hold_ready_names_the_pickup_point_and_the_last_day():
    text = render_notice("hold_ready", CONTEXT, "zh-Hans")

    assert text.subject == "【康平县图书馆】预约图书已到馆"
    assert "《红楼梦》已到康平镇分馆服务台，请于 2027-03-08 前凭读者证取书" in text.body


def test_ill_arrived_names_the_lender_the_last_day_to_collect_and_the_lenders_due_date():
    context = {**CONTEXT, "lender_name": "法库县图书馆", "due_on": date(2027, 4, 30)}
    text = render_notice("ill_arrived", context, "en")

    assert text.subject == "[康平县图书馆] Your interlibrary loan has arrived"
    assert "红楼梦, which you asked us to borrow, has come from 法库县图书馆" in text.body
    assert "collect it with your card by 2027-03-08. It must be back by 2027-04-30" in text.body


@pytest.mark.parametrize("kind", Kind.values)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_has_a_subject_and_a_body_in_both_languages(kind, language):
    text = render_notice(kind, CONTEXT, language)

    assert text.subject and "\n" not in text.subject
    assert "王小明" in text.body
    assert text.body.endswith("康平县图书馆\n")
    assert ("您好" in text.body) is (language == "zh-hans")


@pytest.mark.parametrize(
    ("asked", "used"),
    [(None, "zh-hans"), ("zh-Hans", "zh-hans"), ("zh-cn", "zh-hans"), ("en-US", "en"), ("fr", "zh-hans")],
)
def test_the_language_falls_back_to_chinese(asked, used):
    assert notice_language(asked) == used


def test_an_unknown_kind_is_refused():
    with pytest.raises(UnknownNoticeKind) as refused:
        render_notice("birthday", CONTEXT)

    assert refused.value.field == "kind"
    assert "birthday" in refused.value.message
