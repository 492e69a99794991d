"""Reading the times Nordic exports write: ISO 8601, 14.03.2026 08:12, 14/3/2026, kl. 8.05 …"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from ombud.capture.problems import problem
from ombud.capture.records import RowRejected

_DAY_FIRST = re.compile(
    r"^(?P<day>\d{1,2})[./-](?P<month>\d{1,2})[./-](?P<year>\d{4})"
    r"(?:[ T,]+(?:kl\.?\s*)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?)?$"
)
_YEAR_FIRST_SLASHES = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(.*)$")


def _day_first(text: str, value: str) -> datetime | None:
    match = _DAY_FIRST.match(text)
    if not match:
        return None
    day, month, year, hour, minute, second = match.groups()
    try:
        return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError as error:
        raise RowRejected(problem("date_impossible", value=value, detail=str(error))) from None


def parse_time(value: str, zone: ZoneInfo) -> datetime:
    """Return an aware time; a time without an offset is read in ``zone``."""
    text = value.strip()
    if not text:
        raise RowRejected(problem("date_missing"))
    parsed: datetime | None = None
    if len(text) > 2 and (text[1] in "./-" or text[2] in "./-"):
        parsed = _day_first(text, value)
    if parsed is None:
        slashed = _YEAR_FIRST_SLASHES.match(text)
        if slashed:
            year, month, day, rest = slashed.groups()
            text = f"{year}-{int(month):02d}-{int(day):02d}{rest}"
        try:
            parsed = datetime.fromisoformat(text.replace(" kl. ", " ").replace("Z", "+00:00"))
        except ValueError:
            raise RowRejected(problem("date_unreadable", value=value)) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed
