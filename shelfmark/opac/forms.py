"""Reader forms: card + PIN login, the pickup choice of a booking, an interlibrary loan request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shelfmark.ill.forms import ReaderRequestForm
from shelfmark.libraries.models import Library
from shelfmark.opac import selectors
from shelfmark.opac.templatetags.opac import place
from shelfmark.patrons.models import Patron

HOME_DELIVERY = "home"


class LoginForm(forms.Form):
    card = forms.CharField(label=_("读者证号"), max_length=32, strip=True)
    pin = forms.CharField(label=_("密码（PIN）"), max_length=8, strip=False, widget=forms.PasswordInput)


class HoldForm(forms.Form):
    """Pick where to collect the book, or home delivery when the reader is registered for it."""

    def __init__(self, *args: Any, patron: Patron, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.libraries = {str(library.pk): library for library in selectors.pickup_libraries()}
        choices: list[tuple[str, Any]] = [(pk, place(library)) for pk, library in self.libraries.items()]
        if patron.home_delivery:
            choices.insert(0, (HOME_DELIVERY, _("送书上门（送到登记地址）")))
        self.fields["pickup"] = forms.ChoiceField(
            label=_("取书地点"), choices=choices, initial=str(patron.home_library_id)
        )

    def pickup_library(self) -> Library | None:
        """Return the chosen library, or None for home delivery (the service then uses the home library)."""
        chosen = self.cleaned_data["pickup"]
        return None if chosen == HOME_DELIVERY else self.libraries[chosen]

    def home_delivery(self) -> bool:
        return bool(self.cleaned_data["pickup"] == HOME_DELIVERY)


class InterlibraryLoanForm(ReaderRequestForm):
    """Ask the network to borrow a title from another library: the citation and where to collect it."""

    record = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, patron: Patron, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.libraries = {str(library.pk): library for library in selectors.pickup_libraries()}
        self.fields["pickup"] = forms.ChoiceField(
            label=_("取书地点"),
            choices=[(pk, place(library)) for pk, library in self.libraries.items()],
            initial=str(patron.home_library_id),
        )

    def pickup_library(self) -> Library:
        return self.libraries[self.cleaned_data["pickup"]]
