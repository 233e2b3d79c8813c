"""The MARC import form: every option is a closed choice, so a forged value gets a form error, not a crash."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shelfmark.catalog import access
from shelfmark.libraries.models import Library

NETWORK = ""  # the library choice for network-level records (no cataloguing library)
FORMATS = [("auto", _("自动识别")), ("marc21", "MARC21"), ("cnmarc", "CNMARC")]
ENCODINGS = [("auto", _("自动识别")), ("utf-8", "UTF-8"), ("marc-8", "MARC-8"), ("gb18030", "GB18030")]
MATCHES = [
    ("isbn", _("按 ISBN 匹配（更新已有记录）")),
    ("control-number", _("按控制号匹配")),
    ("none", _("不匹配（全部新建）")),
]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("MARC 文件（ISO 2709 或 MARCXML）"))
    marc_format = forms.ChoiceField(label=_("MARC 格式"), choices=FORMATS, initial="auto")
    encoding = forms.ChoiceField(label=_("字符编码"), choices=ENCODINGS, initial="auto")
    match = forms.ChoiceField(label=_("匹配已有记录"), choices=MATCHES, initial="isbn")
    library = forms.ChoiceField(label=_("编目馆"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # Offer only the libraries where this user may import; the check is repeated in clean_library.
        choices = library_choices(user, "catalog.import")
        library_field = self.fields["library"]
        assert isinstance(library_field, forms.ChoiceField)
        library_field.choices = choices
        if choices:
            self.fields["library"].initial = choices[0][0]

    def clean_library(self) -> Library | None:
        return chosen_library(self.user, "catalog.import", self.cleaned_data.get("library"))


def library_choices(user: Any, perm: str) -> list[tuple[str, Any]]:
    """The libraries where `user` may do `perm` (the whole network first, when allowed at its root)."""
    choices: list[tuple[str, Any]] = [(NETWORK, _("全网（不属于某一馆）"))] if access.may(user, perm, None) else []
    choices += [
        (library.code, f"{library.name} ({library.code})")
        for library in Library.objects.filter(is_active=True).order_by("path")
        if access.may(user, perm, library)
    ]
    return choices


def chosen_library(user: Any, perm: str, code: str | None) -> Library | None:
    """The library a form chose by code (None: the whole network), checked again: a forged code is refused."""
    code = code or NETWORK
    library = None if code == NETWORK else Library.objects.filter(code=code).first()
    if code != NETWORK and library is None:
        raise forms.ValidationError(_("没有代码为 %(code)s 的图书馆。"), params={"code": code})
    if not access.may(user, perm, library):
        message = _("您无权向该馆导入书目。") if perm == "catalog.import" else _("您无权在该馆编目。")
        raise forms.ValidationError(message)
    return library
