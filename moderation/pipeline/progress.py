"""A progress bar for long runs on a terminal: comments done, their rate, and the time left.

The time left comes from the bytes read of the input files: their sizes are known before the
run, and the position of the one being read is the read offset of its open file (on Linux,
``/proc/self/fdinfo``; elsewhere the bar moves a whole file at a time). Input read from
standard input has no known size: the bar then counts comments and their rate only.
tqdm draws it on stderr; a run that is not shown one (stderr not a terminal, ``--quiet``, a
library caller) never imports it and pays nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from moderation.pipeline.options import Inputs, fixed_inputs

# Seconds between two looks at the read offsets (a look lists the process's open files).
POLL_SECONDS = 0.25
_FDINFO = Path("/proc/self/fdinfo")


class InputMeter:
    """How many bytes of the input files have been read, of how many.

    Parameters
    ----------
    inputs : str, Path or iterable of them
        As :func:`~moderation.parse.parse` takes them. Standard input (``-``) or content given
        as a string makes the total unknown (``total`` is None).
    """

    def __init__(self, inputs: Inputs) -> None:
        from moderation.parse import iter_inputs

        names = fixed_inputs(inputs)
        names = (names,) if isinstance(names, str | Path) else names
        self.files: list[tuple[str, int]] = []
        self.total: int | None = 0
        if any(str(name) == "-" or not Path(name).exists() for name in names):
            self.total = None
            return
        for source in iter_inputs(names):
            if source.path is not None:
                path = str(source.path.resolve())
                self.files.append((path, source.path.stat().st_size))
        self.total = sum(size for _, size in self.files)
        self._index = {path: number for number, (path, _) in enumerate(self.files)}
        self._before = [0]
        for _, size in self.files:
            self._before.append(self._before[-1] + size)
        self.done = 0

    def read(self) -> int:
        """Bytes read so far: the files before the one open, and how far into it (never
        less than at the last look)."""
        if not self.files:
            return 0
        for number, offset in self._open_offsets():
            self.done = max(self.done, self._before[number] + min(offset, self.files[number][1]))
        return self.done

    def _open_offsets(self) -> Iterable[tuple[int, int]]:
        """(file number, read offset) of each input file this process has open."""
        try:
            descriptors = os.listdir(_FDINFO)
        except OSError:  # no /proc: nothing open can be seen
            return []
        found = []
        for fd in descriptors:
            try:
                number = self._index.get(os.readlink(f"/proc/self/fd/{fd}"))
                if number is None:
                    continue
                with open(_FDINFO / fd, encoding="ascii") as info:
                    offset = int(info.readline().split()[1])  # "pos:\t<offset>"
            except (OSError, ValueError, IndexError):  # closed meanwhile, or not a file
                continue
            found.append((number, offset))
        return found


class ProgressBar:
    """A tqdm bar of comments done and their rate, the time left from the bytes read.

    Parameters
    ----------
    what : str
        The verb shown before the counts (``scored``, ``parsed``, ``matched``).
    meter : InputMeter or None
        The inputs' bytes; None or an unknown total: comments and rate only.
    stream : TextIO, optional
        Where to draw (stderr by default).
    unit : str, default="comments"
        What is counted.
    """

    def __init__(
        self,
        what: str,
        meter: InputMeter | None,
        stream: TextIO | None = None,
        unit: str = "comments",
    ) -> None:
        from tqdm import tqdm

        self.meter = meter if meter is not None and meter.total else None
        self.what = what
        self.unit = unit
        self.comments = 0
        self._started = time.monotonic()
        self._polled = 0.0
        common: dict[str, Any] = {
            "file": stream,
            "leave": False,
            "dynamic_ncols": True,
            "desc": what,
        }
        if self.meter is not None:
            self.bar = tqdm(
                total=self.meter.total,
                unit="B",
                unit_scale=True,
                bar_format="{desc} {percentage:3.0f}%|{bar}| {n_fmt}B/{total_fmt}B "
                "[{elapsed}<{remaining}]",
                **common,
            )
        else:
            self.bar = tqdm(total=None, unit=f" {unit}", **common)
        self._describe()

    def _describe(self) -> None:
        rate = self.comments / max(time.monotonic() - self._started, 1e-9)
        if self.meter is not None:
            self.bar.set_description_str(
                f"{self.what} {self.comments:,} {self.unit} ({rate:,.0f}/s)", refresh=False
            )
        else:
            self.bar.set_description_str(self.what, refresh=False)

    def advance(self, comments: int) -> None:
        """Count ``comments`` more done; look at the bytes read at most every POLL_SECONDS."""
        self.comments += comments
        now = time.monotonic()
        if self.meter is None:
            self.bar.update(comments)
            return
        if now - self._polled < POLL_SECONDS:
            return
        self._polled = now
        self._describe()
        self.bar.update(self.meter.read() - self.bar.n)

    def close(self) -> None:
        """Remove the bar from the terminal (the run's summary follows)."""
        self.bar.close()


class StepProgress:
    """A tqdm bar over the steps of a run that is not a stream of comments: the heads (and
    featurising) of a model being trained or measured. Shows steps done of how many, the step
    running, and the time left estimated from the steps done.

    Parameters
    ----------
    what : str
        The verb shown before the counts (``training``, ``evaluating``).
    stream : TextIO, optional
        Where to draw (stderr by default).
    """

    def __init__(self, what: str, stream: TextIO | None = None) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=None,
            file=stream,
            leave=False,
            dynamic_ncols=True,
            desc=what,
            unit=" steps",
            bar_format="{desc} {n_fmt}/{total_fmt} {percentage:3.0f}%|{bar}| "
            "[{elapsed}<{remaining}] {postfix}",
        )

    def start(self, total: int) -> None:
        """Set the number of steps (known once the data is read)."""
        self.bar.reset(total=total)

    def step(self, name: str) -> None:
        """Show the step now running."""
        self.bar.set_postfix_str(name)

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more steps done."""
        self.bar.update(count)

    def close(self) -> None:
        """Remove the bar from the terminal (the run's summary follows)."""
        self.bar.close()


class NoProgress:
    """What a run that shows no bar is given: the same calls, doing nothing."""

    def advance(self, comments: int = 1) -> None:
        """Nothing to show."""

    def start(self, total: int) -> None:
        """Nothing to size."""

    def step(self, name: str) -> None:
        """Nothing to name."""

    def close(self) -> None:
        """Nothing to remove."""


def steps_progress(what: str, show: bool) -> StepProgress | NoProgress:
    """A bar over the steps of training or evaluating when ``show`` (stderr is a terminal, no
    ``--quiet``), else one that does nothing."""
    return StepProgress(what) if show else NoProgress()


def progress_for(
    inputs: Inputs, what: str, show: bool, unit: str = "comments"
) -> ProgressBar | NoProgress:
    """A bar over ``inputs`` when ``show`` (the CLI: stderr is a terminal, no ``--quiet``),
    else one that does nothing."""
    return ProgressBar(what, InputMeter(inputs), unit=unit) if show else NoProgress()
