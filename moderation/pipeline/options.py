"""Every setting of a scoring or dedup run, in one frozen object checked when it is made.

One :class:`ScoreOptions` travels from the caller (the CLI, a script, another engine) through
:func:`~moderation.pipeline.score.score`, the batching and into the worker processes; one
:class:`DedupOptions` does the same for :func:`~moderation.pipeline.dedup.dedup`. This module
imports neither the judge nor NumPy, so that building options costs nothing before the
forkserver starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.errors import OptionsError
from moderation.labels import ANY_LANGUAGE, FLAGS
from moderation.parse import ParseOptions

Inputs = str | Path | Iterable[str | Path]
OUTPUT_FORMATS = ("jsonl", "csv")
# Scoring also writes a table for a person at a terminal.
SCORE_OUTPUT_FORMATS = (*OUTPUT_FORMATS, "table")
# The judge's and the duplicate finder's defaults, known here without importing them (a test
# checks that they agree).
DEFAULT_MAX_CHARS = 5000
DEFAULT_BATCH_SIZE = 1000
DEFAULT_DEDUP_THRESHOLD = 0.8
DEFAULT_MIN_WORDS = 5
# Engines a run can use: this machine's processes, or a Dask cluster (moderation.pipeline.engine).
ENGINES = ("local", "dask")
# Bytes of a large JSONL or CSV dump read as one block by the Dask engine (dask.bag's default).
DEFAULT_BLOCKSIZE = 64 * 2**20


def fixed_inputs(inputs: Inputs) -> str | Path | tuple[str | Path, ...]:
    """Inputs as :func:`~moderation.parse.parse` takes them, read from more than once: one path
    (or content) as it is, several as a tuple."""
    return inputs if isinstance(inputs, str | Path) else tuple(inputs)


def input_names(inputs: str | Path | tuple[str | Path, ...]) -> list[str]:
    """The inputs as a checkpoint and the fingerprint index record them."""
    return [str(inputs)] if isinstance(inputs, str | Path) else [str(item) for item in inputs]


def _with_articles() -> ParseOptions:
    return ParseOptions(articles=True)


def _check_count(name: str, value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OptionsError(f"{name}={value!r}: use 1 or more {what}")


def _check_similarity(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < value <= 1.0:
        raise OptionsError(f"{name}={value!r}: use a similarity in (0, 1], e.g. 0.8")


def _check_flag_values(name: str, values: Mapping[str, float]) -> None:
    for flag, value in values.items():
        if flag not in FLAGS:
            raise OptionsError(f"{name}: unknown flag {flag!r}; flags: {FLAGS}")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise OptionsError(f"{name}: {flag}={value!r} must be a number between 0 and 1")


def _check_engine(options: ScoreOptions | DedupOptions) -> None:
    if options.engine not in ENGINES:
        raise OptionsError(f"engine={options.engine!r}: use one of {ENGINES}")
    _check_count("blocksize", options.blocksize, "bytes per block")
    if options.scheduler is not None:
        if options.engine != "dask":
            raise OptionsError(
                f"scheduler={options.scheduler!r} names a Dask scheduler: use it with engine='dask'"
            )
        if not isinstance(options.scheduler, str) or not options.scheduler:
            raise OptionsError(
                f"scheduler={options.scheduler!r}: give an address, e.g. tcp://host:8786"
            )


def _check_languages(languages: object) -> None:
    if languages is None:
        return
    if isinstance(languages, str) or not all(
        isinstance(code, str) and (code == ANY_LANGUAGE or (code.isalpha() and 2 <= len(code) <= 3))
        for code in languages  # type: ignore[attr-defined]
    ):
        raise OptionsError(
            f"languages={languages!r}: use ISO 639-1 codes such as ('en', 'de'), or "
            f"({ANY_LANGUAGE!r},) to judge every language"
        )


def _check_output(options: ScoreOptions | DedupOptions) -> None:
    formats = SCORE_OUTPUT_FORMATS if isinstance(options, ScoreOptions) else OUTPUT_FORMATS
    if options.output_format not in formats:
        raise OptionsError(f"output_format={options.output_format!r}: use one of {formats}")
    if not isinstance(options.parse_options, ParseOptions):
        raise OptionsError(
            f"parse_options={options.parse_options!r}: use a moderation.parse.ParseOptions"
        )


@dataclass(frozen=True, slots=True)
class ScoreOptions:
    """The settings of a scoring run (``moderation score``), checked when made.

    Attributes
    ----------
    model_path : str, Path or None
        Model file (the bundled default when None). Never load a model from an untrusted source.
    thresholds, remove_thresholds : mapping of flag to float
        Override the score at which a flag is raised, or its action becomes remove.
    target : str or None
        Stance target for comments that do not name one (the model's default when None).
    max_chars : int, default=5000
        Longer comments are judged on their start and marked truncated.
    batch_size : int, default=1000
        Comments featurised, scored, marked and checkpointed at a time.
    dedup_threshold : float, default=0.8
        Smallest similarity for a near-duplicate comment (``duplicate_of``).
    index_path : str, Path or None
        SQLite fingerprint index: mark repeats of earlier runs' comments, add this run's.
    jobs : int, default=1
        Worker processes that score batches (``1``: in the calling process).
    resume : bool
        Continue an interrupted run into the same output file from its last checkpoint.
    output_format : {"jsonl", "csv", "table"}
        ``table``: a compact table for a person at a terminal (id, action, flags, stance, text).
    rejects : str, Path or None
        Also write every rejected input as a JSONL row here.
    parse_options : ParseOptions
        How inputs are read; ``articles=True`` (the default here) gives the story ids.
    engine : {"local", "dask"}, default="local"
        Run on this machine's processes, or on a Dask cluster (``jobs`` worker processes of a
        cluster started for the run, or the one at ``scheduler``).
    scheduler : str or None
        Address of a running Dask scheduler (``engine="dask"`` only).
    blocksize : int, default=64 MiB
        Bytes of a large JSONL or CSV dump read as one block by the Dask engine.
    languages : tuple of str or None
        The languages the heads judge (ISO 639-1); a comment in another one gets
        ``action: review`` with the reason ``unsupported_language``. ``None``: the model
        card's; ``("any",)``: every language.

    Raises
    ------
    OptionsError
        A count below 1, a similarity outside (0, 1], an unknown flag, output format or
        engine, a scheduler without the Dask engine, or ``resume`` with it.
    """

    model_path: str | Path | None = None
    thresholds: Mapping[str, float] = field(default_factory=dict)
    remove_thresholds: Mapping[str, float] = field(default_factory=dict)
    target: str | None = None
    max_chars: int = DEFAULT_MAX_CHARS
    batch_size: int = DEFAULT_BATCH_SIZE
    dedup_threshold: float = DEFAULT_DEDUP_THRESHOLD
    index_path: str | Path | None = None
    jobs: int = 1
    resume: bool = False
    output_format: str = "jsonl"
    rejects: str | Path | None = None
    parse_options: ParseOptions = field(default_factory=_with_articles)
    engine: str = "local"
    scheduler: str | None = None
    blocksize: int = DEFAULT_BLOCKSIZE
    languages: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # Copies, so that a caller's dict changed later does not change a run's options.
        object.__setattr__(self, "thresholds", dict(self.thresholds))
        object.__setattr__(self, "remove_thresholds", dict(self.remove_thresholds))
        _check_flag_values("thresholds", self.thresholds)
        _check_flag_values("remove_thresholds", self.remove_thresholds)
        _check_count("jobs", self.jobs, "worker processes")
        _check_count("batch_size", self.batch_size, "comments per batch")
        _check_count("max_chars", self.max_chars, "characters")
        _check_similarity("dedup_threshold", self.dedup_threshold)
        _check_languages(self.languages)
        if self.languages is not None:
            object.__setattr__(self, "languages", tuple(self.languages))
        if self.target is not None and (not isinstance(self.target, str) or not self.target):
            raise OptionsError(f"target={self.target!r}: name a stance target, or None")
        _check_output(self)
        _check_engine(self)
        if self.resume and self.engine == "dask":
            raise OptionsError(
                "resume=True continues a local run from its checkpoint; the Dask engine "
                "recomputes lost blocks by itself: run again without resume"
            )

    def judge_settings(self) -> dict[str, Any]:
        """What :meth:`Moderator.load <moderation.judge.moderator.Moderator.load>` takes besides
        the path: the same in every process that scores."""
        settings: dict[str, Any] = {
            "thresholds": dict(self.thresholds),
            "remove_thresholds": dict(self.remove_thresholds),
            "max_chars": self.max_chars,
        }
        if self.languages is not None:
            settings["languages"] = list(self.languages)
        return settings


@dataclass(frozen=True, slots=True)
class DedupOptions:
    """The settings of a duplicates run (``moderation dedup``), checked when made.

    Attributes
    ----------
    threshold : float, default=0.8
        Smallest similarity for a near duplicate (word-set Jaccard, or character bigrams for
        short texts).
    min_words : int, default=5
        Texts with fewer words are matched only exactly (``short-exact``).
    index_path : str, Path or None
        SQLite fingerprint index: flag repeats of earlier runs' comments, then add this run's.
    index_readonly : bool
        Look the index up only; do not add this run to it.
    clusters_path : str, Path or None
        Write every cluster of 2+ comments as a JSONL row here (``-``: standard output).
    batch_size : int, default=1000
        Comments matched at a time.
    output_format : {"jsonl", "csv"}
    rejects : str, Path or None
        Also write every rejected input as a JSONL row here.
    parse_options : ParseOptions
        How inputs are read; ``articles=True`` (the default here) gives the story ids.
    engine : {"local", "dask"}, default="local"
        Run in this process, or on a Dask cluster.
    scheduler : str or None
        Address of a running Dask scheduler (``engine="dask"`` only).
    jobs : int, default=1
        Worker processes of the Dask cluster started for the run when there is no
        ``scheduler`` (the local engine runs in one process: more needs ``engine="dask"``).
    blocksize : int, default=64 MiB
        Bytes of a large JSONL or CSV dump read as one block by the Dask engine.

    Raises
    ------
    OptionsError
        A count below 1, a similarity outside (0, 1], an unknown output format or engine, a
        scheduler without the Dask engine, or several jobs with the local engine.
    """

    threshold: float = DEFAULT_DEDUP_THRESHOLD
    min_words: int = DEFAULT_MIN_WORDS
    index_path: str | Path | None = None
    index_readonly: bool = False
    clusters_path: str | Path | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    output_format: str = "jsonl"
    rejects: str | Path | None = None
    parse_options: ParseOptions = field(default_factory=_with_articles)
    engine: str = "local"
    scheduler: str | None = None
    jobs: int = 1
    blocksize: int = DEFAULT_BLOCKSIZE

    def __post_init__(self) -> None:
        _check_similarity("threshold", self.threshold)
        _check_count("min_words", self.min_words, "words")
        _check_count("batch_size", self.batch_size, "comments per batch")
        _check_output(self)
        _check_engine(self)
        _check_count("jobs", self.jobs, "worker processes")
        if self.jobs > 1 and self.engine == "local":
            raise OptionsError(
                f"jobs={self.jobs}: the local dedup runs in one process; use engine='dask' "
                "for several worker processes"
            )
