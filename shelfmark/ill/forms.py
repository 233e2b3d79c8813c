"""Staff and reader forms of interlibrary loan: plain fields, checked again by the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RequestForm(forms.Form):
    card_number = forms.CharField(label=_("读者证号"), max_length=32, required=False)
    record_id = forms.IntegerField(label=_("书目记录号"), required=False, min_value=1)
    title = forms.CharField(label=_("题名"), max_length=2000, required=False)
    author = forms.CharField(label=_("责任者"), max_length=255, required=False)
    isbn = forms.CharField(label=_("ISBN"), max_length=32, required=False)
    publisher = forms.CharField(label=_("出版者"), max_length=255, required=False)
    year = forms.IntegerField(label=_("出版年"), required=False)
    needed_by = forms.DateField(label=_("需要日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("备注"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReaderRequestForm(forms.Form):
    title = forms.CharField(label=_("题名"), max_length=2000)
    author = forms.CharField(label=_("责任者"), max_length=255, required=False)
    isbn = forms.CharField(label=_("ISBN"), max_length=32, required=False)
    publisher = forms.CharField(label=_("出版者"), max_length=255, required=False)
    year = forms.IntegerField(label=_("出版年"), required=False)
    needed_by = forms.DateField(label=_("需要日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("备注"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
