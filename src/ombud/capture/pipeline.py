"""Reading and preparing a file's voices in batches, in a process of its own when it pays.

The writer (the calling process) spends its time in the database; reading CSV,
parsing times and hashing texts is the other half of an import's work. For a
large file the reading half runs in a forked child process, so the two halves
use both cores; a small file, or a platform without fork, is read inline.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ombud.capture.prepare import PreparedBatch, Preparer
from ombud.capture.problems import problem
from ombud.capture.records import RowError
from ombud.capture.registry import Importer
from ombud.errors import OmbudError

PROGRESS_EVERY_ROWS = 1000


@dataclass
class Batch:
    voices: PreparedBatch
    errors: list[RowError]
    rows_read: int
    progress: tuple[int, int]


@dataclass
class Progressed:
    rows_read: int
    progress: tuple[int, int]


class ReaderFailed(OmbudError):
    """The file could not be read; the message says why (it may come from the reader process)."""


def _batches(
    importer: Importer, preparer: Preparer, batch_size: int, notes: bool = True, first_size: int | None = None
) -> Iterator[Batch | Progressed]:
    """``first_size`` makes the first batch smaller, so that a writer waiting for it can start sooner."""
    voices = PreparedBatch()
    errors: list[RowError] = []
    rows = 0
    prepare = preparer.prepare
    size = first_size or batch_size
    for item in importer.read():
        rows += 1
        error = item if isinstance(item, RowError) else prepare(item, voices)
        if error is not None:
            errors.append(error)
        if len(voices) + len(errors) >= size:
            yield Batch(voices, errors, rows, importer.progress())
            voices, errors = PreparedBatch(), []
            size = batch_size
        elif notes and rows % PROGRESS_EVERY_ROWS == 0:
            yield Progressed(rows, importer.progress())
    yield Batch(voices, errors, rows, importer.progress())


def _child(importer: Importer, preparer: Preparer, batch_size: int, out: Any, parent: int) -> None:
    def send(message: Any) -> bool:
        while os.getppid() == parent:
            try:
                out.put(message, timeout=1)
                return True
            except queue.Full:
                continue
        # The writer is gone (killed): stop reading, and exit without waiting for the batches
        # still in the pipe, which nobody will read.
        out.cancel_join_thread()
        return False

    try:
        # Only whole batches cross: progress notes would fill the bounded queue and stall the reader.
        # The writer waits for the first batch with nothing to do: a tenth of the size comes ten times sooner.
        for batch in _batches(importer, preparer, batch_size, notes=False, first_size=max(1, batch_size // 10)):
            if not send(batch):
                return
        send(None)
    except OmbudError as error:
        send(ReaderFailed(str(error), problem=error.problem))
    except BaseException:
        send(ReaderFailed("reading the file failed:\n" + traceback.format_exc()))


def _in_process(importer: Importer, preparer: Preparer, batch_size: int) -> Iterator[Batch | Progressed]:
    context = multiprocessing.get_context("fork")
    out: Any = context.Queue(maxsize=2)
    child = context.Process(target=_child, args=(importer, preparer, batch_size, out, os.getpid()), daemon=True)
    child.start()
    try:
        while True:
            try:
                message = out.get(timeout=1)
            except queue.Empty:
                if child.is_alive():
                    continue
                try:  # it may have ended just after its last message reached the pipe
                    message = out.get(timeout=1)
                except queue.Empty:
                    raise ReaderFailed(problem=problem("reader_failed")) from None
            if message is None:
                return
            if isinstance(message, ReaderFailed):
                raise message
            yield message
    finally:
        child.terminate()
        child.join()
        out.close()


def _inline(importer: Importer, preparer: Preparer, batch_size: int) -> Iterator[Batch | Progressed]:
    try:
        yield from _batches(importer, preparer, batch_size)
    except OmbudError as error:
        raise ReaderFailed(str(error), problem=error.problem) from error


def read_batches(
    importer: Importer, preparer: Preparer, batch_size: int, size_bytes: int, process_min_bytes: int
) -> Iterator[Batch | Progressed]:
    """Batches of prepared voices and row errors, with progress notes between them. Files of at least
    ``process_min_bytes`` are read in a child process (below that a second process costs more than
    it saves)."""
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if forkable and size_bytes >= process_min_bytes:
        return _in_process(importer, preparer, batch_size)
    return _inline(importer, preparer, batch_size)
