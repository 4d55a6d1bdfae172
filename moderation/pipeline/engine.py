"""The engine a run uses, chosen by its options: this machine's processes (``local``, the
default) or a Dask cluster (``dask``). Both take the same options and give the same rows,
rejections and summary; the CLI commands call these and only build the options.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from moderation.errors import OptionsError
from moderation.pipeline.options import DedupOptions, Inputs, ScoreOptions
from moderation.pipeline.rejections import Notify

if TYPE_CHECKING:
    from moderation.pipeline.dedup import DedupResult
    from moderation.pipeline.score import ScoreResult


def _need_dask() -> None:
    """Refuse the Dask engine clearly when its packages are not installed."""
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as error:
        raise OptionsError(
            f"engine='dask' needs dask[dataframe], distributed and pyarrow ({error}); "
            "install them with: pip install 'moderation[dask]'"
        ) from error


def _refuse_folder(options: ScoreOptions | DedupOptions, output: str | Path | TextIO) -> None:
    """A folder as output (one part per block) is the Dask engine's; the local engine writes a
    file."""
    if options.engine == "local" and isinstance(output, str | Path):
        text = str(output)
        if text.endswith(("/", os.sep)) or Path(text).is_dir():
            raise OptionsError(
                f"output={text!r} is a folder: the local engine writes one file (a folder of "
                "parts is for engine='dask')"
            )


def run_score(
    inputs: Inputs,
    options: ScoreOptions | None = None,
    output: str | Path | TextIO = "-",
    *,
    notify: Notify | None = None,
    progress: bool = False,
) -> ScoreResult:
    """:func:`moderation.pipeline.score.score` on the engine ``options.engine`` names."""
    options = options if options is not None else ScoreOptions()
    _refuse_folder(options, output)
    if options.engine == "dask":
        _need_dask()
        from moderation.pipeline.dask_engine.score_run import score_dask

        return score_dask(inputs, options, output, notify=notify, progress=progress)
    from moderation.pipeline.score import score

    return score(inputs, options, output, notify=notify, progress=progress)


def run_dedup(
    inputs: Inputs,
    options: DedupOptions | None = None,
    output: str | Path | TextIO = "-",
    *,
    notify: Notify | None = None,
    progress: bool = False,
) -> DedupResult:
    """:func:`moderation.pipeline.dedup.dedup` on the engine ``options.engine`` names."""
    options = options if options is not None else DedupOptions()
    _refuse_folder(options, output)
    if options.engine == "dask":
        _need_dask()
        from moderation.pipeline.dask_engine.dedup_run import dedup_dask

        return dedup_dask(inputs, options, output, notify=notify)
    from moderation.pipeline.dedup import dedup

    return dedup(inputs, options, output, notify=notify, progress=progress)
