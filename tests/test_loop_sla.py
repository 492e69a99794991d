"""The first-response SLA: the setting's format, business hours (across a weekend and a clock change), overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from case_factories import customer, read, voice
from ombud.errors import SettingError
from ombud.loop.case_views import list_cases
from ombud.loop.cases import record_reply, update_cases
from ombud.loop.sla import SlaPolicy, add_business_time, parse_business_hours, parse_first_response
from ombud.settings import get_settings
from ombud.store import Database
from ombud.store.models import Case, CaseVoice

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OFFICE = parse_business_hours("mon-fri 08:00-17:00", STOCKHOLM)


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=STOCKHOLM)  # type: ignore[misc]


def test_first_response_setting() -> None:
    allowed = parse_first_response("email=24h, chat=2h,review=3d,call_note=90m,survey=12,default=1.5h")
    assert allowed == {
        "email": timedelta(hours=24),
        "chat": timedelta(hours=2),
        "review": timedelta(days=3),
        "call_note": timedelta(minutes=90),
        "survey": timedelta(hours=12),
        "default": timedelta(minutes=90),
    }
    policy = SlaPolicy(allowed)
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert policy.first_response_due("Chat", start) == start + timedelta(hours=2)
    assert policy.first_response_due("webform", start) == start + timedelta(minutes=90)
    assert SlaPolicy(parse_first_response("email=24h")).first_response_due("chat", start) is None  # no default


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("email=24 hours", "cannot read 'email=24 hours'"),
        ("email", "cannot read 'email'"),
        ("=2h", "cannot read '=2h'"),
        ("chat=2h,chat=3h", "chat is given twice"),
        ("chat=0h", "must be more than zero"),
    ],
)
def test_a_bad_first_response_setting_names_itself(text: str, complaint: str) -> None:
    with pytest.raises(SettingError, match="OMBUD_SLA_FIRST_RESPONSE") as caught:
        parse_first_response(text)
    assert complaint in str(caught.value)


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("weekdays 08:00-17:00", "cannot read 'weekdays 08:00-17:00'"),
        ("mon-fri 8-17", "cannot read"),
        ("mon-fri 17:00-08:00", "end before they start"),
        ("mon-fri 08:00-25:00", "25:00 is not a time of day"),
        ("mon-fri 08:00-17:00, fri 10:00-12:00", "fri is given twice"),
        (" , ", "names no hours"),
    ],
)
def test_a_bad_business_hours_setting_names_itself(text: str, complaint: str) -> None:
    with pytest.raises(SettingError, match="OMBUD_BUSINESS_HOURS") as caught:
        parse_business_hours(text, STOCKHOLM)
    assert complaint in str(caught.value)


def test_business_hours_groups_and_wrapping_day_ranges() -> None:
    hours = parse_business_hours("Mon-Thu 08:00-16:00, fri 08:00-12:00, sat-sun 10:00-24:00", STOCKHOLM)
    assert sorted(hours.days) == [0, 1, 2, 3, 4, 5, 6]
    assert parse_business_hours("fri-mon 09:00-12:00", STOCKHOLM).days.keys() == {4, 5, 6, 0}


def test_sla_counts_only_business_hours_across_a_weekend() -> None:
    policy = SlaPolicy(parse_first_response("email=24h,chat=2h,default=24h"), OFFICE)
    friday_afternoon = local(2026, 3, 6, 16, 0)
    # 1 h on Friday, 9 h on Monday, 9 h on Tuesday, 5 h on Wednesday.
    assert policy.first_response_due("email", friday_afternoon) == local(2026, 3, 11, 13, 0)
    # Two chat hours: one on Friday, one on Monday morning.
    assert policy.first_response_due("chat", friday_afternoon) == local(2026, 3, 9, 9, 0)
    # Written on Saturday: the clock starts on Monday at 08:00.
    assert policy.first_response_due("chat", local(2026, 3, 7, 12, 0)) == local(2026, 3, 9, 10, 0)
    # Written before opening and exactly at closing time.
    assert policy.first_response_due("chat", local(2026, 3, 10, 6, 30)) == local(2026, 3, 10, 10, 0)
    assert policy.first_response_due("chat", local(2026, 3, 10, 17, 0)) == local(2026, 3, 11, 10, 0)
    # Without business hours the same e-mail is due a day later, Saturday 16:00.
    assert SlaPolicy(policy.first_response).first_response_due("email", friday_afternoon) == local(2026, 3, 7, 16)


def test_business_hours_keep_local_time_over_a_clock_change() -> None:
    # Summer time in Sweden ends on Sunday 25 October 2026: Friday 16:00 is 14:00 UTC, Monday 09:00 is 08:00 UTC.
    due = add_business_time(local(2026, 10, 23, 16, 0), timedelta(hours=2), OFFICE)
    assert due == local(2026, 10, 26, 9, 0)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    around_the_clock = parse_business_hours("mon-sun 00:00-24:00", STOCKHOLM)
    start = local(2026, 10, 24, 12, 0)
    # 24 elapsed hours over the night that has 25: 11:00 the next day on the wall clock.
    assert add_business_time(start, timedelta(hours=24), around_the_clock) == local(2026, 10, 25, 11, 0)


def test_policy_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMBUD_SLA_FIRST_RESPONSE", "email=8h,default=48h")
    monkeypatch.setenv("OMBUD_BUSINESS_HOURS", "mon-fri 09:00-17:00")
    monkeypatch.setenv("OMBUD_TIMEZONE", "Europe/Oslo")
    get_settings.cache_clear()
    try:
        policy = SlaPolicy.from_settings()
        assert policy.allowed("email") == timedelta(hours=8) and policy.allowed("chat") == timedelta(hours=48)
        assert policy.business_hours is not None and policy.business_hours.zone.key == "Europe/Oslo"
        monkeypatch.setenv("OMBUD_TIMEZONE", "Europe/Atlantis")
        get_settings.cache_clear()
        with pytest.raises(SettingError, match="OMBUD_TIMEZONE='Europe/Atlantis': not a known time zone"):
            SlaPolicy.from_settings()
        monkeypatch.delenv("OMBUD_BUSINESS_HOURS")
        monkeypatch.setenv("OMBUD_SLA_FIRST_RESPONSE", "email=soon")
        get_settings.cache_clear()
        with pytest.raises(SettingError, match="OMBUD_SLA_FIRST_RESPONSE='email=soon'"):
            SlaPolicy.from_settings()
    finally:
        get_settings.cache_clear()


def test_overdue_cases_with_and_without_business_hours(database: Database) -> None:
    friday = local(2026, 3, 6, 16, 0)
    policy = SlaPolicy(parse_first_response("email=24h,chat=2h,default=24h"), OFFICE)
    with database.session() as session:
        people = {
            language: customer(session, f"{language}@example.com", language=language)
            for language in ("sv", "nb", "nn", "da", "en")
        }
        texts = {
            "sv": ("Varför svarar ingen i chatten?", "chat"),
            "nb": ("Jeg har ventet lenge på svar på e-posten min", "email"),
            "nn": ("Eg har venta lenge på svar", "email"),
            "da": ("Jeg har ikke faaet svar endnu", "chat"),
            "en": ("still no answer, seriously??", "chat"),
        }
        spoken = {}
        for language, (text, channel) in texts.items():
            spoken[language] = voice(session, people[language], text, friday, channel=channel)
            read(session, spoken[language], language=language, topics=[["communication"]])
        session.commit()
        update_cases(session, friday, policy=policy, window=timedelta(hours=168))
        case_of = dict(session.execute(select(CaseVoice.voice_id, CaseVoice.case_id)).all())
        chat_case = session.get_one(Case, case_of[spoken["sv"].id])
        assert chat_case.first_response_due == local(2026, 3, 9, 9, 0)
        record_reply(session, session.get_one(Case, case_of[spoken["en"].id]), at=local(2026, 3, 9, 8, 30), actor="a")
        session.commit()
        # On Sunday nothing is overdue yet: no business hour has passed since Friday 17:00.
        assert list_cases(session, now=local(2026, 3, 8, 20, 0), overdue=True) == []
        monday = list_cases(session, now=local(2026, 3, 9, 9, 30), overdue=True)
        assert {summary.customer for summary in monday} == {"sv@example.com", "da@example.com"}
        assert all("overdue" in [reason.code for reason in summary.reasons] for summary in monday)
        wednesday = list_cases(session, now=local(2026, 3, 11, 13, 30), overdue=True)
        assert {summary.customer for summary in wednesday} == {f"{x}@example.com" for x in ("sv", "nb", "nn", "da")}
        # Around the clock, the e-mails were due on Saturday already.
        assert SlaPolicy(policy.first_response).first_response_due("email", friday) == local(2026, 3, 7, 16, 0)
