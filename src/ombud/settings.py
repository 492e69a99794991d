"""Every setting of ombud, declared once with its default and its help text.

Each can be set by an ``OMBUD_<NAME>`` environment variable; README lists them
all (a test keeps that list complete).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMBUD_", extra="ignore")

    database_url: str = Field(
        "sqlite:///ombud.db",
        description="Where ombud keeps its data: a SQLAlchemy URL, sqlite:///FILE or "
        "postgresql+psycopg://USER@HOST/DB. The --db option of every command overrides it.",
    )
    timezone: str = Field(
        "Europe/Stockholm",
        description="Time zone for imported times that carry none (an IANA name).",
    )
    phone_country: str = Field(
        "SE",
        description="Country whose national phone numbers imports read (SE, NO, DK or FI), so that "
        "070-123 45 67 and +46 70 123 45 67 are one customer.",
    )
    sqlite_cache_mb: int = Field(
        64,
        ge=2,
        description="SQLite page cache per connection in MB; more makes large imports faster and uses more memory.",
    )
    import_batch_size: int = Field(
        10_000,
        ge=1,
        description="Rows written and committed together during an import; a crash loses at most "
        "one uncommitted batch, which the next run adds.",
    )
    reader_process_min_bytes: int = Field(
        8 * 1024 * 1024,
        ge=0,
        description="Files at least this large are read in a second process while the first writes "
        "(uses both cores); 0 reads every file that way.",
    )
    bulk_load_min_bytes: int = Field(
        64 * 1024 * 1024,
        ge=0,
        description="Files at least this large are imported with two secondary voice indexes dropped and "
        "rebuilt at the end (much faster; queries by time are slower meanwhile).",
    )
    max_text_chars: int = Field(
        100_000,
        ge=1,
        description="The longest voice text accepted; a longer row is reported as an error.",
    )
    corpus_dir: str | None = Field(
        None,
        description="Folder of ombud's labeled corpus, which `ombud train --base default` learns from besides "
        "your files. Default: corpus/ of the checkout ombud runs from.",
    )
    case_window_hours: int = Field(
        168,
        ge=0,
        description="A voice joins the customer's open case on the same topic received within this many hours; "
        "otherwise it starts a new case (e-mail threads join by Message-ID whatever the time).",
    )
    sla_first_response: str = Field(
        "email=24h,chat=2h,review=72h,survey=72h,call_note=24h,default=24h",
        description="Time to the first response per channel, CHANNEL=HOURSh,…; `default` covers every other channel.",
    )
    business_hours: str | None = Field(
        None,
        description="Count SLA time only within these hours, e.g. `mon-fri 08:00-17:00`; unset: around the clock.",
    )
    templates_dir: str | None = Field(
        None,
        description="Folder of the company's own message templates, LANGUAGE/NAME.txt.j2 (Jinja2); any it lacks "
        "come from ombud's.",
    )
    smtp_host: str = Field("localhost", description="SMTP server that replies and feedback are sent through.")
    smtp_port: int = Field(25, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_user: str | None = Field(None, description="SMTP user name, when the server wants a login.")
    smtp_password: str | None = Field(None, description="SMTP password, with OMBUD_SMTP_USER.")
    smtp_tls: str = Field(
        "none",
        pattern="^(none|starttls|tls)$",
        description="How to protect the SMTP connection: none, starttls (upgrade on port 587) or tls (port 465).",
    )
    smtp_timeout_seconds: float = Field(30.0, gt=0, description="How long to wait for the SMTP server.")
    mail_from: str = Field(
        "Kundservice <kundservice@example.com>",
        description="The From address of every message ombud sends; its domain also names the Message-IDs.",
    )
    send_max_attempts: int = Field(
        8,
        ge=1,
        description="How often the delivery worker tries a message before marking it failed (back-off doubles "
        "from one minute).",
    )
    company_language: str | None = Field(
        None,
        pattern="^(sv|nb|nn|da|en)$",
        description="The language of wish theme titles (sv, nb, nn, da or en); unset: the most common language "
        "of each company's voices.",
    )
    wish_theme_similarity: float | None = Field(
        None,
        gt=-1,
        lt=1,
        description="How similar a wish must be to a theme's wishes on average to join it rather than start a new "
        "theme (token-by-token similarity in the board's space, less the two wishes' usual level: "
        "docs/wish-themes.md); unset: the threshold the shipped wish-theme model was tuned with.",
    )
    # --- the web app (ombud serve) ---
    secret_key: str | None = Field(
        None,
        min_length=32,
        description="Secret that signs the login form's CSRF token (at least 32 characters). `ombud serve` refuses "
        "to listen on a host other than 127.0.0.1/localhost without one; unset on loopback: a random one per start.",
    )
    session_hours: float = Field(
        12.0, gt=0, description="How long a login lasts in the browser before the user logs in again."
    )
    cookie_secure: bool = Field(
        False,
        description="Send the session cookie only over HTTPS (set true when ombud is served behind TLS).",
    )
    max_upload_mb: float = Field(
        100.0, gt=0, description="The largest file the web app's import page and API accept, in MB."
    )
    upload_dir: str = Field(
        "ombud-uploads",
        description="Folder where files uploaded in the web app are kept (one subfolder per upload), so an import "
        "can be checked or run again.",
    )
    serve_interval_seconds: float = Field(
        30.0,
        gt=0,
        description="How often `ombud serve` sends what the outbox queued and reads, places in cases and on the "
        "wish board the voices that came in since.",
    )
    # --- insight ---
    barometer_min_voices: int = Field(
        30,
        ge=1,
        description="The fewest voices a period or segment needs for a barometer index; with fewer it is marked "
        "too few and gets none.",
    )
    barometer_resamples: int = Field(
        1000,
        ge=100,
        le=100_000,
        description="Bootstrap resamples behind each barometer value's 95 % confidence interval (seeded, so the "
        "same voices always give the same interval).",
    )
    insight_workers: int = Field(
        2,
        ge=1,
        le=16,
        description="How many of the dashboard's queries run at once, each on a connection of its own; 1 runs them "
        "one after the other.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
