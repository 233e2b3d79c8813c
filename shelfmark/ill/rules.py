"""The request status machine, without the database: which change may follow which."""

from __future__ import annotations

from shelfmark.ill.models import Status

# requested → accepted/refused → shipped → received → on loan → returned → closed; cancelled and lost on the side.
# A refused request may be sent on to another lender (refused → requested).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.REQUESTED: frozenset({Status.REQUESTED, Status.ACCEPTED, Status.REFUSED, Status.CANCELLED}),
    Status.ACCEPTED: frozenset({Status.SHIPPED, Status.CANCELLED}),
    Status.REFUSED: frozenset({Status.REQUESTED, Status.CANCELLED}),
    Status.SHIPPED: frozenset({Status.RECEIVED, Status.LOST}),
    Status.RECEIVED: frozenset({Status.ON_LOAN, Status.RETURNED, Status.LOST}),
    Status.ON_LOAN: frozenset({Status.RETURNED, Status.LOST}),
    Status.RETURNED: frozenset({Status.CLOSED, Status.LOST}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.LOST: frozenset(),
}

OPEN = frozenset(status for status, nexts in TRANSITIONS.items() if nexts)
# A lender is busy with these: its current load when suggestions are ranked.
LENDER_LOAD = frozenset({Status.REQUESTED, Status.ACCEPTED, Status.SHIPPED, Status.RECEIVED, Status.ON_LOAN})


def may_move(current: str, target: str) -> bool:
    """Tell whether a request in `current` may go to `target`."""
    return target in TRANSITIONS.get(current, frozenset())


# ISO 18626 supplying-agency statuses for our lending statuses, and back.
ISO_STATUS_FOR = {
    Status.ACCEPTED: "WillSupply",
    Status.REFUSED: "Unfilled",
    Status.SHIPPED: "Loaned",
    Status.CLOSED: "LoanCompleted",
    Status.CANCELLED: "Cancelled",
}
STATUS_FOR_ISO = {
    "ExpectToSupply": Status.ACCEPTED,
    "WillSupply": Status.ACCEPTED,
    "Unfilled": Status.REFUSED,
    "Loaned": Status.SHIPPED,
    "LoanCompleted": Status.CLOSED,
    "CompletedWithoutReturn": Status.CLOSED,
    "Cancelled": Status.CANCELLED,
}
# Every status value the standard lists; the ones above change our request, the others are logged as notes.
ISO_STATUSES = frozenset(
    {
        "RequestReceived",
        "ExpectToSupply",
        "WillSupply",
        "Loaned",
        "Overdue",
        "Recalled",
        "RetryPossible",
        "Unfilled",
        "CopyCompleted",
        "LoanCompleted",
        "CompletedWithoutReturn",
        "Cancelled",
    }
)
ISO_REASONS = frozenset(
    {"RequestResponse", "StatusRequestResponse", "RenewResponse", "CancelResponse", "StatusChange", "Notification"}
)
ISO_ACTIONS = frozenset(
    {"StatusRequest", "Received", "Cancel", "Renew", "ShippedReturn", "ShippedForward", "Notification"}
)
# Actions of the borrower this installation acts on as a lender (Renew and ShippedForward are not supported).
SUPPORTED_ACTIONS = {
    "Received": Status.RECEIVED,
    "ShippedReturn": Status.RETURNED,
    "Cancel": Status.CANCELLED,
    "StatusRequest": None,
    "Notification": None,
}
