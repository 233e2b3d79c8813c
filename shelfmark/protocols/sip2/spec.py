"""The SIP2 2.00 message catalogue: each command's fixed fields (name, width) in wire order, and field ids."""

from __future__ import annotations

from dataclasses import dataclass

DATE = 18  # YYYYMMDDZZZZHHMMSS


@dataclass(frozen=True)
class Command:
    """One message type: its two-digit code, a name for logs, and its fixed fields in order."""

    code: str
    name: str
    fixed: tuple[tuple[str, int], ...] = ()

    @property
    def fixed_width(self) -> int:
        return sum(width for _, width in self.fixed)


def _commands(*commands: Command) -> dict[str, Command]:
    return {command.code: command for command in commands}


# What a terminal (SC) sends.
REQUESTS = _commands(
    Command("93", "login", (("uid_algorithm", 1), ("pwd_algorithm", 1))),
    Command("99", "sc_status", (("status_code", 1), ("max_print_width", 3), ("protocol_version", 4))),
    Command("97", "request_acs_resend"),
    Command("23", "patron_status", (("language", 3), ("transaction_date", DATE))),
    Command("63", "patron_information", (("language", 3), ("transaction_date", DATE), ("summary", 10))),
    Command(
        "11",
        "checkout",
        (("sc_renewal_policy", 1), ("no_block", 1), ("transaction_date", DATE), ("nb_due_date", DATE)),
    ),
    Command("09", "checkin", (("no_block", 1), ("transaction_date", DATE), ("return_date", DATE))),
    Command(
        "29",
        "renew",
        (("third_party_allowed", 1), ("no_block", 1), ("transaction_date", DATE), ("nb_due_date", DATE)),
    ),
    Command("65", "renew_all", (("transaction_date", DATE),)),
    Command("17", "item_information", (("transaction_date", DATE),)),
    Command("19", "item_status_update", (("transaction_date", DATE),)),
    Command("15", "hold", (("hold_mode", 1), ("transaction_date", DATE))),
    Command(
        "37",
        "fee_paid",
        (("transaction_date", DATE), ("fee_type", 2), ("payment_type", 2), ("currency_type", 3)),
    ),
    Command("35", "end_patron_session", (("transaction_date", DATE),)),
    Command("01", "block_patron", (("card_retained", 1), ("transaction_date", DATE))),
    Command("25", "patron_enable", (("transaction_date", DATE),)),
)

# What the library system (ACS) answers.
RESPONSES = _commands(
    Command("94", "login_response", (("ok", 1),)),
    Command(
        "98",
        "acs_status",
        (
            ("online_status", 1),
            ("checkin_ok", 1),
            ("checkout_ok", 1),
            ("acs_renewal_policy", 1),
            ("status_update_ok", 1),
            ("offline_ok", 1),
            ("timeout_period", 3),
            ("retries_allowed", 3),
            ("date_time_sync", DATE),
            ("protocol_version", 4),
        ),
    ),
    Command("96", "request_sc_resend"),
    Command("24", "patron_status_response", (("patron_status", 14), ("language", 3), ("transaction_date", DATE))),
    Command(
        "64",
        "patron_information_response",
        (
            ("patron_status", 14),
            ("language", 3),
            ("transaction_date", DATE),
            ("hold_items_count", 4),
            ("overdue_items_count", 4),
            ("charged_items_count", 4),
            ("fine_items_count", 4),
            ("recall_items_count", 4),
            ("unavailable_holds_count", 4),
        ),
    ),
    Command(
        "12",
        "checkout_response",
        (("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1), ("transaction_date", DATE)),
    ),
    Command(
        "10",
        "checkin_response",
        (("ok", 1), ("resensitize", 1), ("magnetic_media", 1), ("alert", 1), ("transaction_date", DATE)),
    ),
    Command(
        "30",
        "renew_response",
        (("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1), ("transaction_date", DATE)),
    ),
    Command(
        "66",
        "renew_all_response",
        (("ok", 1), ("renewed_count", 4), ("unrenewed_count", 4), ("transaction_date", DATE)),
    ),
    Command(
        "18",
        "item_information_response",
        (("circulation_status", 2), ("security_marker", 2), ("fee_type", 2), ("transaction_date", DATE)),
    ),
    Command("20", "item_status_update_response", (("item_properties_ok", 1), ("transaction_date", DATE))),
    Command("16", "hold_response", (("ok", 1), ("available", 1), ("transaction_date", DATE))),
    Command("38", "fee_paid_response", (("payment_accepted", 1), ("transaction_date", DATE))),
    Command("36", "end_session_response", (("end_session", 1), ("transaction_date", DATE))),
    Command("26", "patron_enable_response", (("patron_status", 14), ("language", 3), ("transaction_date", DATE))),
)

# The response each request gets (block patron is answered with a patron status response).
ANSWER = {
    "93": "94",
    "99": "98",
    "23": "24",
    "63": "64",
    "11": "12",
    "09": "10",
    "29": "30",
    "65": "66",
    "17": "18",
    "19": "20",
    "15": "16",
    "37": "38",
    "35": "36",
    "01": "24",
    "25": "26",
}

# Order of the 16 flags of the supported-messages field (BX) in the ACS status response.
SUPPORTED_ORDER = ("23", "11", "09", "01", "99", "97", "93", "63", "35", "37", "17", "19", "25", "15", "29", "65")

# Summary field of patron information: position of the Y → which item list is wanted.
SUMMARY_LISTS = ("hold", "overdue", "charged", "fine", "recall", "unavailable_hold")

# Variable fields whose values are secrets: masked in every log.
SECRET_FIELDS = frozenset({"AD", "AC", "CO"})

LANGUAGE_UNKNOWN = "000"
LANGUAGE_ENGLISH = "001"
LANGUAGE_CHINESE = "019"
