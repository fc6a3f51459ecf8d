"""A till's defaults before its config says otherwise, and the business-day rule (docs/architecture.md).

The one home of the default time zone, the default operator, the business date logic and the
conversion of instants to the till's local date and time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Seoul"
DEFAULT_OPERATOR = "owner"
OPERATOR_META = "operator"  # journal meta key holding the till's default operator


def local_date(at_s: float, tz: str | None = None) -> str:
    """The calendar date (``YYYY-MM-DD``) at ``at_s`` in zone ``tz`` (default :data:`DEFAULT_TZ`)."""
    return dt.datetime.fromtimestamp(at_s, ZoneInfo(tz or DEFAULT_TZ)).date().isoformat()


def local_time(at_ms: int, tz: str | None = None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """``at_ms`` in zone ``tz`` (default :data:`DEFAULT_TZ`), never the computer's, e.g. ``2026-11-26 14:03:09``."""
    return dt.datetime.fromtimestamp(at_ms / 1000, ZoneInfo(tz or DEFAULT_TZ)).strftime(fmt)


def business_date(today: str, last_closed: str | None) -> str:
    """``today``, or the day after ``last_closed`` when that day is today or later (it is closed)."""
    if last_closed and last_closed >= today:
        return (dt.date.fromisoformat(last_closed) + dt.timedelta(days=1)).isoformat()
    return today
