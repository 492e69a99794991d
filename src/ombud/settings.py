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


@lru_cache
def get_settings() -> Settings:
    return Settings()
