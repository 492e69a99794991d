"""What the user told an import: column mapping, channel, time zone, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from ombud.settings import get_settings

CHANNEL_NAMES = {
    "email": ("email", "e-mail", "epost", "e-post", "mail", "mejl"),
    "chat": ("chat", "chatt", "livechat", "messenger"),
    "review": ("review", "recension", "omdöme", "anmeldelse", "omtale", "trustpilot"),
    "survey": ("survey", "enkät", "enkat", "undersøkelse", "undersøgelse", "spørreskjema", "nps"),
    "call_note": ("call_note", "call", "phone", "telefon", "samtal", "samtale", "opkald"),
}
_CHANNEL_BY_NAME = {name: channel for channel, names in CHANNEL_NAMES.items() for name in names}


def normalise_channel(value: str) -> str:
    name = value.strip().lower()
    return _CHANNEL_BY_NAME.get(name, name.replace(" ", "_")[:40] or "unknown")


@dataclass(frozen=True)
class ImportOptions:
    mapping: dict[str, str] = field(default_factory=dict)
    channel: str | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Stockholm"))
    max_text_chars: int = 100_000
    # Read national phone numbers (070…, 912 34 567) as this country's.
    phone_country: str = "SE"
    # Added to the metadata of every voice of the import, e.g. {"company": "Ljusbanken"}.
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, **chosen: Any) -> ImportOptions:
        """Options from the OMBUD_* settings, with what the user chose for this import on top."""
        settings = get_settings()
        defaults: dict[str, Any] = {
            "timezone": ZoneInfo(settings.timezone),
            "max_text_chars": settings.max_text_chars,
            "phone_country": settings.phone_country.upper(),
        }
        return cls(**(defaults | chosen))
