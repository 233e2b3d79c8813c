"""Desk forms: every id is a checked number and every place a checked code, so a forged field is an error, not a crash."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shelfmark.accounts import permissions
from shelfmark.fines.models import PaymentMethod
from shelfmark.libraries.models import Library, ServicePoint

NUMBER_ERRORS = {"invalid": _("编号必须是正整数。"), "min_value": _("编号必须是正整数。"), "required": _("缺少编号。")}


def desk_libraries(user: Any) -> QuerySet[Library]:
    """Return the active libraries where `user` may work a circulation desk, in tree order."""
    libraries = Library.objects.filter(is_active=True).order_by("path")
    paths = permissions.library_paths_for(user, "circulation.operate")
    if paths is None:
        return libraries
    if not paths:
        return libraries.none()
    where = Q()
    for path in paths:
        where |= Q(path__startswith=path)
    return libraries.filter(where)


def first_error(form: forms.Form) -> tuple[str | None, str]:
    """Return the field and text of a bound form's first error (field None for a whole-form error)."""
    for name, errors in form.errors.items():
        return (None if name == "__all__" else name), " ".join(str(error) for error in errors)
    return None, ""


def _number(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=2**62, error_messages=NUMBER_ERRORS)


class DeskForm(forms.Form):
    """Where the clerk works: a library from their grants and, optionally, one of its service points."""

    library = forms.CharField(label=_("图书馆"), max_length=32)
    service_point = forms.CharField(label=_("服务点"), max_length=32, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.libraries = list(desk_libraries(user))
        self.service_points = list(
            ServicePoint.objects.filter(library__in=self.libraries).select_related("library").order_by("code")
        )

    def clean_library(self) -> Library:
        code = self.cleaned_data["library"].strip()
        library = Library.objects.filter(code=code, is_active=True).first()
        if library is None:
            raise forms.ValidationError(_("没有代码为 %(code)s 的图书馆。"), params={"code": code})
        if not permissions.has_perm(self.user, "circulation.operate", library):
            raise forms.ValidationError(_("您没有在 %(name)s 办理流通的权限。"), params={"name": library.name})
        return library

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code, library = (data.get("service_point") or "").strip(), data.get("library")
        data["service_point"] = None
        if code and library is not None:
            point = ServicePoint.objects.filter(code=code, library=library).first()
            if point is None:
                self.add_error(
                    "service_point",
                    _("%(library)s 没有代码为 %(code)s 的服务点。") % {"library": library.name, "code": code},
                )
            data["service_point"] = point
        return data


class CardForm(forms.Form):
    card = forms.CharField(label=_("读者证号"), max_length=64)


class ScanForm(forms.Form):
    """An item scan (barcode, QR code or QR address), with the reason when staff override a refusal."""

    scan = forms.CharField(label=_("单册条码或二维码"), max_length=300)
    override_reason = forms.CharField(label=_("例外借出原因"), max_length=200, required=False)


class LoanForm(forms.Form):
    loan = _number(_("借阅"))
    override_reason = forms.CharField(label=_("例外续借原因"), max_length=200, required=False)


class OverrideForm(forms.Form):
    override_reason = forms.CharField(label=_("例外续借原因"), max_length=200, required=False)


class PayForm(forms.Form):
    amount = forms.CharField(label=_("金额（元）"), max_length=20)
    method = forms.ChoiceField(label=_("支付方式"), choices=PaymentMethod.choices, initial=PaymentMethod.CASH)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class WaiveForm(forms.Form):
    charge = _number(_("费用"))
    reason = forms.CharField(label=_("减免原因"), max_length=300)
    amount = forms.CharField(label=_("减免金额（元，留空为全部）"), max_length=20, required=False)


class HoldForm(forms.Form):
    """A booking placed at the desk: the title, a pickup library anywhere in the network, or home delivery."""

    record = _number(_("书目"))
    pickup = forms.CharField(label=_("取书馆"), max_length=32, required=False)
    home_delivery = forms.BooleanField(label=_("送书上门"), required=False)

    def clean_pickup(self) -> Library | None:
        code = (self.cleaned_data.get("pickup") or "").strip()
        if not code:
            return None
        library = Library.objects.filter(code=code, is_active=True).first()
        if library is None:
            raise forms.ValidationError(_("没有代码为 %(code)s 的图书馆。"), params={"code": code})
        return library


class CancelHoldForm(forms.Form):
    hold = _number(_("预约"))
    reason = forms.CharField(label=_("取消原因"), max_length=200, required=False)
