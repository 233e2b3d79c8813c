"""Forms of the alliance staff pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shelfmark.alliance import access, selectors
from shelfmark.alliance.models import CITATION_MAX, Region
from shelfmark.libraries.models import Library


class DocumentForm(forms.Form):
    """What a librarian states about a local document; on change, the library and record stay."""

    library = forms.ModelChoiceField(label=_("收藏馆"), queryset=Library.objects.none())
    record = forms.IntegerField(label=_("书目记录编号"), required=False, min_value=1, help_text=_("已编目时填写"))
    citation = forms.CharField(
        label=_("简要著录"), required=False, max_length=CITATION_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    region = forms.ModelChoiceField(label=_("所记地区"), queryset=Region.objects.none())
    subjects = forms.CharField(label=_("主题"), required=False, help_text=_("多个主题用分号分隔"))
    year_from = forms.IntegerField(label=_("起始年"))
    year_to = forms.IntegerField(label=_("截止年"), required=False)
    is_legal_deposit = forms.BooleanField(label=_("呈缴本"), required=False)
    received_on = forms.DateField(label=_("接收日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        library = self.fields["library"]
        region = self.fields["region"]
        assert isinstance(library, forms.ModelChoiceField) and isinstance(region, forms.ModelChoiceField)
        library.queryset = access.editable_libraries(user)
        region.queryset = selectors.active_regions()
        if editing:
            del self.fields["library"]
            del self.fields["record"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), required=False, max_length=200)
