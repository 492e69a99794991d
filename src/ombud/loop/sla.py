"""The service level on first response: how long each channel may wait, counted on the clock or in business hours.

``OMBUD_SLA_FIRST_RESPONSE`` gives the time per channel (``email=24h,chat=2h,…,default=24h``; units ``m``,
``h`` and ``d``, a bare number is hours); a channel not named takes ``default``, and with no ``default`` it has
no deadline. ``OMBUD_BUSINESS_HOURS`` (``mon-fri 08:00-17:00``, several groups separated by commas, in
``OMBUD_TIMEZONE``) makes the deadline count only time inside those hours: an e-mail on Friday at 16:00 with
24 h runs one hour on Friday, nine on Monday and on Tuesday, and is due on Wednesday at 13:00.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ombud.errors import SettingError
from ombud.settings import get_settings

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([mhd]?)$")
_UNITS = {"m": 60.0, "h": 3600.0, "d": 86400.0, "": 3600.0}
_HOURS_GROUP = re.compile(
    r"^(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$"
)
FIRST_RESPONSE_VARIABLE = "OMBUD_SLA_FIRST_RESPONSE"
BUSINESS_HOURS_VARIABLE = "OMBUD_BUSINESS_HOURS"


def parse_first_response(text: str) -> dict[str, timedelta]:
    """``email=24h,chat=2h,default=24h`` → {channel: time allowed}."""
    allowed: dict[str, timedelta] = {}
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        channel, equals, value = part.partition("=")
        channel = channel.strip().lower()
        found = _DURATION.match(value.strip().lower())
        if not equals or not channel or found is None:
            raise SettingError(
                FIRST_RESPONSE_VARIABLE, text, f"cannot read {part!r}; write CHANNEL=TIME, e.g. email=24h,chat=30m"
            )
        if channel in allowed:
            raise SettingError(FIRST_RESPONSE_VARIABLE, text, f"{channel} is given twice")
        seconds = float(found.group(1)) * _UNITS[found.group(2)]
        if seconds <= 0:
            raise SettingError(FIRST_RESPONSE_VARIABLE, text, f"the time for {channel} must be more than zero")
        allowed[channel] = timedelta(seconds=seconds)
    return allowed


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours per weekday (0 = Monday) as local (start, end) times; end may be 24:00 (``time.max``)."""

    days: dict[int, tuple[time, time]]
    zone: ZoneInfo

    def windows(self, since: datetime) -> list[tuple[datetime, datetime]]:
        """The business windows of the local day of ``since`` and the next six, in UTC, in order."""
        local_day = since.astimezone(self.zone).date()
        found = []
        for offset in range(8):
            day = local_day + timedelta(days=offset)
            if day.weekday() in self.days:
                start, end = self.days[day.weekday()]
                found.append((self._at(day, start), self._at(day, end)))
        return found

    def _at(self, day: date, moment: time) -> datetime:
        if moment == time.max:
            return datetime.combine(day + timedelta(days=1), time(0), self.zone).astimezone(UTC)
        return datetime.combine(day, moment, self.zone).astimezone(UTC)


def parse_business_hours(text: str, zone: ZoneInfo) -> BusinessHours:
    """``mon-fri 08:00-17:00, sat 10:00-14:00`` → BusinessHours (a day named twice is an error)."""
    days: dict[int, tuple[time, time]] = {}
    groups = [group.strip().lower() for group in text.split(",") if group.strip()]
    if not groups:
        raise SettingError(BUSINESS_HOURS_VARIABLE, text, "names no hours; write e.g. mon-fri 08:00-17:00")
    for group in groups:
        found = _HOURS_GROUP.match(group)
        if found is None or found.group("first") not in DAYS or (found.group("last") or "mon") not in DAYS:
            raise SettingError(
                BUSINESS_HOURS_VARIABLE,
                text,
                f"cannot read {group!r}; write DAY[-DAY] HH:MM-HH:MM with days mon…sun, e.g. mon-fri 08:00-17:00",
            )
        start, end = _clock(found.group("start"), text), _clock(found.group("end"), text)
        if end != time.max and end <= start:
            raise SettingError(BUSINESS_HOURS_VARIABLE, text, f"in {group!r} the hours end before they start")
        first = DAYS.index(found.group("first"))
        last = DAYS.index(found.group("last") or found.group("first"))
        for step in range((last - first) % 7 + 1):
            weekday = (first + step) % 7
            if weekday in days:
                raise SettingError(BUSINESS_HOURS_VARIABLE, text, f"{DAYS[weekday]} is given twice")
            days[weekday] = (start, end)
    return BusinessHours(days=days, zone=zone)


def _clock(value: str, text: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    if (hours, minutes) == (24, 0):
        return time.max
    if hours > 23 or minutes > 59:
        raise SettingError(BUSINESS_HOURS_VARIABLE, text, f"{value} is not a time of day")
    return time(hours, minutes)


def zone_from_settings() -> ZoneInfo:
    name = get_settings().timezone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SettingError(
            "OMBUD_TIMEZONE", name, "not a known time zone; use an IANA name like Europe/Oslo"
        ) from error


@dataclass(frozen=True)
class SlaPolicy:
    """How long each channel may wait for the first response, and which hours count."""

    first_response: dict[str, timedelta] = field(default_factory=lambda: {"default": timedelta(hours=24)})
    business_hours: BusinessHours | None = None

    @classmethod
    def from_settings(cls) -> SlaPolicy:
        settings = get_settings()
        hours = settings.business_hours
        return cls(
            first_response=parse_first_response(settings.sla_first_response),
            business_hours=parse_business_hours(hours, zone_from_settings()) if hours and hours.strip() else None,
        )

    def allowed(self, channel: str) -> timedelta | None:
        return self.first_response.get(channel.lower(), self.first_response.get("default"))

    def first_response_due(self, channel: str, received_at: datetime) -> datetime | None:
        """When the first response to a voice received at ``received_at`` on ``channel`` is due (None: no SLA)."""
        allowed = self.allowed(channel)
        if allowed is None:
            return None
        if self.business_hours is None:
            return received_at + allowed
        return add_business_time(received_at, allowed, self.business_hours)


def add_business_time(start: datetime, amount: timedelta, hours: BusinessHours) -> datetime:
    """The moment ``amount`` of business time after ``start`` (in UTC)."""
    cursor = start.astimezone(UTC)
    remaining = amount
    while True:
        moved = False
        for window_start, window_end in hours.windows(cursor):
            if window_end <= cursor:
                continue
            begin = max(cursor, window_start)
            if begin + remaining <= window_end:
                return begin + remaining
            remaining -= window_end - begin
            cursor, moved = window_end, True
        if not moved:  # cannot happen with a day a week, but never loop on the same spot
            cursor += timedelta(days=1)
