"""The copy-cataloguing forms: a remote search, and the record picked from its result. Every choice is closed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shelfmark.catalog.forms import chosen_library, library_choices
from shelfmark.libraries.models import Library
from shelfmark.protocols.z3950 import client

FIELDS = [
    ("any", _("任意字段")),
    ("title", _("题名")),
    ("author", _("责任者")),
    ("isbn", "ISBN"),
    ("issn", "ISSN"),
    ("subject", _("主题")),
]
SYNTAXES = [("usmarc", _("MARC 21（usmarc）")), ("unimarc", _("CNMARC（unimarc）"))]


def configured_targets() -> list[tuple[str, str, str]]:
    """The Z39.50 servers this site offers by name: SHELFMARK_Z3950_TARGETS, (name, host:port/db, syntax) each."""
    return [
        (str(name), str(zurl), str(syntax)) for name, zurl, syntax in getattr(settings, "SHELFMARK_Z3950_TARGETS", [])
    ]


class SearchForm(forms.Form):
    target = forms.CharField(label=_("Z39.50 服务器（主机:端口/数据库）"), max_length=300)
    syntax = forms.ChoiceField(label=_("记录格式"), choices=SYNTAXES, initial="usmarc")
    field = forms.ChoiceField(label=_("检索字段"), choices=FIELDS, initial="title")
    term = forms.CharField(label=_("检索词"), max_length=300)

    def clean_target(self) -> client.Target:
        value = self.cleaned_data["target"]
        try:
            return client.Target.parse(value, syntax=self.data.get("syntax", "usmarc"))
        except client.BadTarget as error:
            raise forms.ValidationError(error.message) from None


class CopyForm(SearchForm):
    """The picked record: the search again, its position in the result, its title as shown, and where it goes."""

    position = forms.IntegerField(min_value=1, max_value=client.MAX_SHOWN)
    title = forms.CharField(max_length=2000, required=False)
    library = forms.ChoiceField(label=_("编目馆"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["library"].choices = cataloguing_choices(user)  # type: ignore[attr-defined]

    def clean_library(self) -> Library | None:
        return chosen_library(self.user, "catalog.edit", self.cleaned_data.get("library"))


def cataloguing_choices(user: Any) -> list[tuple[str, Any]]:
    """The libraries where `user` may catalogue (network level first when allowed there)."""
    return library_choices(user, "catalog.edit")
