"""Resumable output: rows appended in whole batches, a checkpoint after each, rename at the end.

A long scoring run writes ``OUT.partial`` and, after every batch is on disk (flushed and
fsynced), records in ``OUT.partial.json`` how many input records that batch completes and how
many bytes the output and the rejects file had then. A run killed at any moment leaves a
checkpoint that names a consistent prefix; ``--resume`` cuts both files back to it, skips the
records it covers and appends the rest, so the finished file has no gap and no duplicate row.
The finished output is renamed into place, so ``OUT`` itself is always complete.

The fsyncs and the checkpoint file are written by a background thread while the run goes on
(they cost a few milliseconds a batch, waiting on the disk): a checkpoint is recorded only once
the bytes it counts are on disk, one at a time and in order, so a crash loses at most the
checkpoints still being written and the run resumes from an earlier one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TextIO

from moderation.errors import ModerationError

CHECKPOINT_VERSION = 1


def _fsync_write(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


class ResumableOutput:
    """Append rows in batches to ``path.partial`` and checkpoint each batch.

    Parameters
    ----------
    path : Path
        The final output file.
    fingerprint : Mapping
        What the run was started with (inputs, options); a resume with another is refused.
    resume : bool
        Continue from the checkpoint of an interrupted run instead of starting over.
    rejects : Path or None
        A rejects file kept in step with the output.

    Attributes
    ----------
    skip : int
        Input records an earlier run already completed; the caller skips that many.
    resumed : bool
        Whether a checkpoint was found and used.
    """

    def __init__(
        self,
        path: Path,
        fingerprint: Mapping[str, Any],
        *,
        resume: bool = False,
        rejects: Path | None = None,
    ) -> None:
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.state_path = path.with_name(path.name + ".partial.json")
        self.rejects_path = rejects
        self.fingerprint = json.loads(json.dumps(dict(fingerprint), sort_keys=True))
        self.skip = 0
        self.resumed = False
        state = self._read_state() if resume else None
        if state is not None:
            if state.get("fingerprint") != self.fingerprint:
                raise ModerationError(
                    f"{self.partial} was started with other inputs or options; run without "
                    "--resume to start over"
                )
            self._truncate(self.partial, state["output_bytes"])
            if rejects is not None:
                self._truncate(rejects, state.get("rejects_bytes", 0))
            self.skip = int(state["records"])
            self.resumed = True
        else:
            for stale in (self.partial, self.state_path):
                stale.unlink(missing_ok=True)
            if rejects is not None:
                rejects.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.stream: TextIO = self.partial.open("a", encoding="utf-8", newline="")
        self.rejects: TextIO | None = (
            rejects.open("a", encoding="utf-8") if rejects is not None else None
        )
        self._syncer: ThreadPoolExecutor | None = None
        self._syncing: Future[None] | None = None

    def _read_state(self) -> dict[str, Any] | None:
        if not (self.partial.is_file() and self.state_path.is_file()):
            return None
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise ModerationError(f"{self.state_path}: unreadable checkpoint ({error})") from error
        if state.get("version") != CHECKPOINT_VERSION:
            raise ModerationError(f"{self.state_path}: checkpoint of another version")
        return state

    @staticmethod
    def _truncate(path: Path, size: int) -> None:
        if path.exists():
            with path.open("r+b") as stream:
                stream.truncate(size)

    def checkpoint(self, records: int) -> None:
        """Record that ``records`` are done, once everything written so far is durable.

        The streams are flushed here; their fsync and the checkpoint file are left to the
        background thread (after the previous checkpoint's, whose error, if any, is raised).
        """
        self._wait()
        offsets, descriptors = {}, []
        for name, stream in (("output_bytes", self.stream), ("rejects_bytes", self.rejects)):
            if stream is not None:
                stream.flush()
                offsets[name] = stream.tell()
                descriptors.append(stream.fileno())
        state = {
            "version": CHECKPOINT_VERSION,
            "records": records,
            "fingerprint": self.fingerprint,
            **offsets,
        }
        if self._syncer is None:
            self._syncer = ThreadPoolExecutor(1, thread_name_prefix="checkpoint")
        self._syncing = self._syncer.submit(self._record, descriptors, json.dumps(state))

    def _record(self, descriptors: list[int], state: str) -> None:
        """In the background thread: the flushed bytes to disk, then the checkpoint naming them.

        Only file descriptors are touched here, never the streams the run writes through.
        """
        for descriptor in descriptors:
            os.fsync(descriptor)
        _fsync_write(self.state_path, state)

    def _wait(self) -> None:
        """Wait for the checkpoint being written, raising its error."""
        syncing, self._syncing = self._syncing, None
        if syncing is not None:
            syncing.result()

    def finish(self) -> None:
        """Close the files and move the finished output into place."""
        self._wait()
        self.close()
        os.replace(self.partial, self.path)
        self.state_path.unlink(missing_ok=True)

    def close(self) -> None:
        """Close without finishing (the partial file and its checkpoint stay for --resume).

        A checkpoint still being written is waited for, not raised: the run is stopping
        anyway, and the one before it stays valid.
        """
        if self._syncer is not None:
            self._syncer.shutdown(wait=True)  # before the descriptors it syncs are closed
            self._syncer = None
        self.stream.close()
        if self.rejects is not None:
            self.rejects.close()
