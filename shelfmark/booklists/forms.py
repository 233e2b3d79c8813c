"""Staff forms of book lists; the services check what the forms cannot (permission, lengths, kind and age band)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shelfmark.booklists import access
from shelfmark.booklists.models import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX, AgeBand, Kind
from shelfmark.libraries.models import Library


class LibraryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Library) -> str:
        return f"{'　' * obj.depth}{obj.name}"


class NewListForm(forms.Form):
    library = LibraryChoice(label=_("发布馆"), queryset=Library.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices)
    title = forms.CharField(label=_("书单名称"), max_length=TITLE_MAX)
    age_band = forms.ChoiceField(
        label=_("适读年龄"),
        choices=[("", _("不限")), *AgeBand.choices],
        required=False,
        help_text=_("只用于少儿书单。"),
    )
    description = forms.CharField(
        label=_("简介"), max_length=DESCRIPTION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        library_field = self.fields["library"]
        assert isinstance(library_field, forms.ModelChoiceField)
        library_field.queryset = access.composable_libraries(user)


class ListDetailsForm(forms.Form):
    title = forms.CharField(label=_("书单名称"), max_length=TITLE_MAX)
    age_band = forms.ChoiceField(label=_("适读年龄"), choices=[("", _("不限")), *AgeBand.choices], required=False)
    description = forms.CharField(
        label=_("简介"), max_length=DESCRIPTION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EntryForm(forms.Form):
    record = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    note = forms.CharField(label=_("推荐语"), max_length=NOTE_MAX, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("推荐语"), max_length=NOTE_MAX, required=False)


class MoveForm(forms.Form):
    offset = forms.TypedChoiceField(choices=[("-1", "-1"), ("1", "1")], coerce=int)
