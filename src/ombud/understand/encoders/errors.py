"""The one error an encoder raises where it cannot run."""

from __future__ import annotations


class EncoderUnavailable(RuntimeError):
    """An encoder that cannot run here; the message says why and what to do."""
