"""Daily circulation work run by the Huey worker: overdue fines and notices, bookings left on the hold shelf."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shelfmark.circulation import services


@db_periodic_task(crontab(hour="6", minute="30"))
def daily_overdue_run() -> None:
    """Bring late loans' fines up to today and send the notices that fall due, before the libraries open."""
    services.process_overdues()


@db_periodic_task(crontab(hour="6", minute="15"))
def daily_hold_shelf_expiry() -> None:
    """Pass on the copies whose readers did not collect them in time."""
    services.expire_hold_shelf()
