"""Resumable output: rows appended in whole batches, a checkpoint after each, rename at the end.

A long scoring run writes ``OUT.partial`` and, after every batch is on disk (flushed and
fsynced), records in ``OUT.partial.json`` how many input records that batch completes and how
many bytes the output and the rejects file had then. A run killed at any moment leaves a
checkpoint that names a consistent prefix; ``--resume`` cuts both files back to it, skips the
records it covers and appends the rest, so the finished file has no gap and no duplicate row.
The finished output is renamed into place, so ``OUT`` itself is always complete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
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
        """Make everything written so far durable, then record that ``records`` are done."""
        offsets = {}
        for name, stream in (("output_bytes", self.stream), ("rejects_bytes", self.rejects)):
            if stream is not None:
                stream.flush()
                os.fsync(stream.fileno())
                offsets[name] = stream.tell()
        state = {
            "version": CHECKPOINT_VERSION,
            "records": records,
            "fingerprint": self.fingerprint,
            **offsets,
        }
        _fsync_write(self.state_path, json.dumps(state))

    def finish(self) -> None:
        """Close the files and move the finished output into place."""
        self.close()
        os.replace(self.partial, self.path)
        self.state_path.unlink(missing_ok=True)

    def close(self) -> None:
        """Close without finishing (the partial file and its checkpoint stay for --resume)."""
        self.stream.close()
        if self.rejects is not None:
            self.rejects.close()
