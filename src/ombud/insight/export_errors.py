"""The errors an export can end in; each is raised before a byte is written under the file's name."""

from __future__ import annotations

from ombud.errors import OmbudError, PermissionDenied


class ExportError(OmbudError):
    """An export that cannot be made as asked: an unknown level, format or dialect, a filter that does not parse,
    or a file that cannot be written."""


class PersonalDataRefused(ExportError, PermissionDenied):
    """Personal data asked for by someone who may not see it: no user named, an unknown or disabled user, or an
    analyst (analysts see personal data masked everywhere)."""
