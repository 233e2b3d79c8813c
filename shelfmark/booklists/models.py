"""Book lists (书单): staff picks (馆员荐书), best-books lists (好书榜) and children's lists, composed by a library."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shelfmark.catalog.models import Record
from shelfmark.libraries.models import Library

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
NOTE_MAX = 500


class Kind(models.TextChoices):
    STAFF_PICK = "staff_pick", _("馆员荐书")
    BEST_BOOKS = "best_books", _("好书榜")
    CHILDREN = "children", _("少儿书单")


class AgeBand(models.TextChoices):
    """Age bands of children's reading, youngest first."""

    AGE_0_3 = "0-3", _("0–3 岁")
    AGE_4_6 = "4-6", _("4–6 岁")
    AGE_7_9 = "7-9", _("7–9 岁")
    AGE_10_12 = "10-12", _("10–12 岁")
    AGE_13_UP = "13-up", _("13 岁以上")


class BookList(models.Model):
    """A list of titles a library recommends, with a librarian's words on each; readers see it once published."""

    title = models.CharField(_("书单名称"), max_length=TITLE_MAX)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="book_lists", verbose_name=_("发布馆"))
    # Only a children's list has an age band; blank means every age.
    age_band = models.CharField(_("适读年龄"), max_length=8, choices=AgeBand.choices, blank=True)
    description = models.TextField(_("简介"), max_length=DESCRIPTION_MAX, blank=True)
    is_published = models.BooleanField(_("已发布"), default=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("书单")
        verbose_name_plural = _("书单")
        indexes = [models.Index(fields=["is_published", "published_at"], name="booklist_published")]
        constraints = [
            models.CheckConstraint(
                condition=Q(age_band="") | Q(kind="children"), name="booklist_age_band_only_for_children"
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False), name="booklist_published_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BookListEntry(models.Model):
    """One title on a list, at its place in the list, with the librarian's recommendation."""

    book_list = models.ForeignKey(BookList, on_delete=models.CASCADE, related_name="entries")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+", verbose_name=_("书目记录"))
    position = models.PositiveIntegerField(_("位置"))
    note = models.TextField(_("推荐语"), max_length=NOTE_MAX, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("加入时间"))

    class Meta:
        ordering = ["book_list", "position", "id"]
        verbose_name = _("书单条目")
        verbose_name_plural = _("书单条目")
        indexes = [models.Index(fields=["book_list", "position"], name="booklist_entry_position")]
        constraints = [models.UniqueConstraint(fields=["book_list", "record"], name="booklist_entry_once")]

    def __str__(self) -> str:
        return f"{self.book_list_id}#{self.position}: {self.record_id}"
