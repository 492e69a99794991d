"""capture: bring customer voices in from files and tie each to an identified customer."""

from ombud.capture.options import ImportOptions
from ombud.capture.records import RowError, SourceVoice
from ombud.capture.registry import importers
from ombud.capture.run import ImportReport, Progress, import_file, import_files

__all__ = [
    "ImportOptions",
    "ImportReport",
    "Progress",
    "RowError",
    "SourceVoice",
    "import_file",
    "import_files",
    "importers",
]
