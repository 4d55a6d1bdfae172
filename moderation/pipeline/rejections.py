"""Rejected inputs: counted, told at once, and written as JSONL rows in step with the output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TextIO

from moderation.pipeline.writers import json_line
from moderation.records import Rejection

Notify = Callable[[str], None]


class RejectionLog:
    """Count rejected inputs, tell each through ``notify`` at once and, when asked, write them
    as JSONL rows to a file.

    Parameters
    ----------
    path : str, Path or None
        File to write the rows to (opened, and closed by :meth:`close`).
    stream : TextIO, optional
        An open stream to write the rows to instead (left open by :meth:`close`).
    deferred : bool
        Hold each row until :meth:`flush` says the records before it are done, so that a
        checkpointed run never writes a rejection twice when it resumes.
    notify : callable of str, optional
        Called with ``"error: <rejection>"`` for each (the CLI shows it on stderr).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        stream: TextIO | None = None,
        deferred: bool = False,
        notify: Notify | None = None,
    ) -> None:
        self.count = 0
        self.deferred = deferred
        self.notify = notify
        self._pending: list[tuple[int, Rejection]] = []
        self._owned = stream is None and path is not None
        if stream is None and path is not None:
            stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()
        self._stream = stream

    def add(self, rejection: Rejection, index: int = 0) -> None:
        """Count and tell one rejection; ``index`` is its input record's number (1-based)."""
        self.count += 1
        if self.notify is not None:
            self.notify(f"error: {rejection}")
        if self._stream is None:
            return
        if self.deferred:
            self._pending.append((index, rejection))
        else:
            self._stream.write(json_line(rejection.to_dict()))

    def flush(self, until: int | None = None) -> None:
        """Write deferred rows of records up to ``until`` (all when None)."""
        if self._stream is None:
            return
        keep = []
        for index, rejection in self._pending:
            if until is None or index <= until:
                self._stream.write(json_line(rejection.to_dict()))
            else:
                keep.append((index, rejection))
        self._pending = keep

    def close(self) -> None:
        """Close the file this log opened (rows still deferred are dropped)."""
        if self._stream is not None and self._owned:
            self._stream.close()

    def __enter__(self) -> RejectionLog:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
