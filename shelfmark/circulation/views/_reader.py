"""The reader panel of the check-out screen: who the reader is, what they may borrow, what they have and owe."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.accounts import permissions
from shelfmark.circulation import selectors
from shelfmark.circulation.forms import CardForm, ScanForm, first_error
from shelfmark.circulation.models import Hold, Loan
from shelfmark.circulation.views._desk import Place, page_or_partial
from shelfmark.fines import selectors as fine_selectors
from shelfmark.fines.models import Charge, PaymentMethod
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons.models import Patron
from shelfmark.patrons.rules import OVERDUE, Block, Standing

SECTIONS = {"renew": "loans", "lost": "loans", "claimed": "loans", "cancel": "holds", "pay": "fines", "waive": "fines"}


@dataclass(frozen=True)
class ActionError:
    """A refusal to show next to the form that caused it: `form` names the form, `target` the loan/hold/charge."""

    form: str
    message: str
    field: str | None = None
    target: int | None = None
    overridable: bool = False

    @property
    def section(self) -> str:
        """The part of the reader panel the refusal belongs to (loans, holds or fines)."""
        return SECTIONS.get(self.form, "")


@dataclass(frozen=True)
class LoanRow:
    loan: Loan
    overdue_days: int

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


@dataclass(frozen=True)
class HoldRow:
    hold: Hold
    position: int | None


@dataclass
class ReaderPanel:
    patron: Patron
    today: date
    expired: bool
    standing: Standing
    blocks: list[Block]
    loans: list[LoanRow]
    holds: list[HoldRow]
    charges: list[Charge]
    owed: Decimal
    deposit: Decimal
    may_override: bool
    may_waive: bool
    lines: list[str] = field(default_factory=list)

    @property
    def pay_methods(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in PaymentMethod.choices]


def reader_panel(user: Any, patron: Patron, place: Place) -> ReaderPanel:
    """Read everything the desk shows about a reader (the caller fetched `patron` through the audited access)."""
    today = timezone.localdate()
    loans = [
        LoanRow(loan=loan, overdue_days=max((today - loan.due_on).days, 0)) for loan in selectors.active_loans(patron)
    ]
    blocks = patron_selectors.blocks(patron)
    overdue = sum(1 for row in loans if row.overdue)
    if overdue:
        blocks.append(Block(OVERDUE, _("{count} items are overdue.").format(count=overdue)))
    holds = [
        HoldRow(hold=hold, position=selectors.queue_position(hold) if hold.status == Hold.Status.WAITING else None)
        for hold in selectors.active_holds(patron)
    ]
    charges = fine_selectors.outstanding(patron)
    return ReaderPanel(
        patron=patron,
        today=today,
        expired=patron.expires_on < today,
        standing=patron_selectors.standing(patron),
        blocks=blocks,
        loans=loans,
        holds=holds,
        charges=charges,
        owed=sum((charge.outstanding for charge in charges), Decimal("0.00")),
        deposit=patron_selectors.deposit_balance(patron),
        may_override=permissions.has_perm(user, "circulation.override", place.library),
        may_waive=permissions.has_perm(user, "patrons.edit", patron.home_library),
    )


def answer_with_panel(
    request: HttpRequest,
    *,
    place: Place,
    patron: Patron,
    error: ActionError | None = None,
    lines: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Answer a reader action: htmx swaps in the refreshed panel, a plain post gets the whole check-out page."""
    panel = reader_panel(request.user, patron, place)
    panel.lines = lines or []
    if error is not None and error.target is not None and error.target not in _row_ids(panel, error.section):
        error = replace(error, target=None)  # not one of this reader's rows: show it at the top of its section
    context = {"place": place, "panel": panel, "error": error, "card_form": CardForm(), "scan_form": ScanForm()}
    return page_or_partial(
        request, "circulation/reader.html", "circulation/partials/reader_panel.html", context, status=status
    )


def form_error(form: Form, name: str, *, target: str | None = None) -> ActionError:
    """Turn the first error of a bound form into the refusal shown beside it (beside `target`'s row if it parsed)."""
    field, message = first_error(form)
    row = form.cleaned_data.get(target) if target else None
    return ActionError(form=name, message=message, field=field, target=row)


def _row_ids(panel: ReaderPanel, section: str) -> set[int]:
    if section == "loans":
        return {row.loan.pk for row in panel.loans}
    if section == "holds":
        return {row.hold.pk for row in panel.holds}
    return {charge.pk for charge in panel.charges}
