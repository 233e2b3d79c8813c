"""Forms of the union catalogue's staff pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shelfmark.catalog.marc.extract import FORMATS
from shelfmark.catalog.marc.reading import ENCODINGS
from shelfmark.libraries.models import Library
from shelfmark.union_catalog.models import Source

WEEKDAYS = [
    ("", "—"),
    ("0", _("星期一")),
    ("1", _("星期二")),
    ("2", _("星期三")),
    ("3", _("星期四")),
    ("4", _("星期五")),
    ("5", _("星期六")),
    ("6", _("星期日")),
]


class SourceForm(forms.Form):
    library = forms.ModelChoiceField(label=_("成员馆"), queryset=Library.objects.none())
    name = forms.CharField(label=_("名称"), max_length=200)
    way = forms.ChoiceField(label=_("接入方式"), choices=Source.Way.choices)
    base_url = forms.CharField(
        label=_("OAI-PMH 地址"), required=False, max_length=500, help_text=_("例如 http://opac.example.cn/oai")
    )
    set_spec = forms.CharField(label=_("集合"), required=False, max_length=200, help_text=_("留空则收割全部记录"))
    metadata_prefixes = forms.CharField(
        label=_("元数据格式"),
        initial="marc21",
        max_length=64,
        help_text=_("marc21、cnmarc、oai_dc，可填多个，用逗号分隔"),
    )
    marc_format = forms.ChoiceField(label=_("MARC 格式"), choices=[(f, f) for f in FORMATS], initial="auto")
    encoding = forms.ChoiceField(label=_("字符编码"), choices=[(e, e) for e in ENCODINGS], initial="auto")
    schedule = forms.ChoiceField(label=_("收割计划"), choices=Source.Schedule.choices, initial=Source.Schedule.MANUAL)
    schedule_time = forms.TimeField(label=_("收割时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    schedule_weekday = forms.TypedChoiceField(
        label=_("星期"), choices=WEEKDAYS, required=False, coerce=int, empty_value=None
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: Any, libraries: QuerySet[Library], fixed: Library | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["library"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = libraries
        if fixed is not None:
            field.queryset = Library.objects.filter(pk=fixed.pk)
            field.initial = fixed.pk
            field.disabled = True


class UploadForm(forms.Form):
    file = forms.FileField(label=_("MARC 文件"), help_text=_("ISO 2709 或 MARCXML；MARC21 或 CNMARC"))
    replace = forms.BooleanField(
        label=_("这是该馆的全部书目"), required=False, help_text=_("文件中没有的记录将标记为已删除")
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
