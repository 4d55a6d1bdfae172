"""Read labeled comments: the project's JSONL/CSV format and the public corpora's own formats.

Every label is optional per row: each head trains on the rows that carry its label, so a
spam-only corpus and a stance-only corpus can be mixed. Adapters map the public corpora's
labels onto the project's heads; the mapping of each is stated in its docstring.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from moderation.errors import DataError
from moderation.labels import DEFAULT_TARGET

# The "source" of a project row that records a moderator's decision.
MODERATOR_SOURCE = "moderator"


@dataclass(frozen=True, slots=True)
class LabeledRow:
    """One labeled comment. ``None`` means "not labeled for this head".

    ``source`` and ``line`` say where it was read; ``moderator`` is true for a moderator's
    decision (a project row with ``"source": "moderator"``, as ``moderation review export``
    writes them), whose labels override the corpus's in training and weigh more.
    """

    text: str
    stance: str | None = None
    spam: int | None = None
    incitement: int | None = None
    target: str = DEFAULT_TARGET
    source: str = ""
    line: int | None = None
    moderator: bool = False

    def labels(self) -> dict[str, object]:
        """The labels as a dict, for hashing and cards (``moderator`` only when set)."""
        row = asdict(self)
        row.pop("source")
        row.pop("line")
        if not self.moderator:
            row.pop("moderator")
        return row


def _binary(value: object, where: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float) and value in (0, 1):
        return int(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value.strip())
    raise DataError(f"{where}: a flag label must be 0, 1 or empty; got {value!r}")


def _project_row(row: dict, where: str, source: str, line: int) -> LabeledRow:
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"{where}: 'text' must be a non-empty string")
    stance = row.get("stance") or None
    if stance is not None and not isinstance(stance, str):
        raise DataError(f"{where}: 'stance' must be a string; got {stance!r}")
    return LabeledRow(
        text=text,
        stance=stance,
        spam=_binary(row.get("spam"), where),
        incitement=_binary(row.get("incitement"), where),
        target=row.get("target") or DEFAULT_TARGET,
        source=source,
        line=line,
        moderator=row.get("source") == MODERATOR_SOURCE,
    )


def read_project_jsonl(path: Path) -> Iterator[LabeledRow]:
    """The project format: ``{"text": ..., "stance": ..., "spam": 0, "incitement": 1, ...}``;
    ``"source": "moderator"`` marks a moderator's decision (other sources are ignored)."""
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"{where}: invalid JSON ({error.msg})") from error
            if not isinstance(row, dict):
                raise DataError(f"{where}: each line must be a JSON object")
            yield _project_row(row, where, str(path), number)


def _csv_rows(
    path: Path, encoding: str = "utf-8", delimiter: str = ","
) -> Iterator[tuple[int, dict]]:
    """Rows with their line numbers; blank lines before the header are skipped."""
    with path.open(encoding=encoding, newline="") as stream:
        skipped = 0
        lines = iter(stream)
        for header in lines:
            if header.strip():
                break
            skipped += 1
        else:
            return
        reader = csv.DictReader(itertools.chain([header], lines), delimiter=delimiter)
        for row in reader:
            yield reader.line_num + skipped, row


def read_project_csv(path: Path) -> Iterator[LabeledRow]:
    """The project format as CSV with the same column names."""
    for number, row in _csv_rows(path):
        yield _project_row(row, f"{path}:{number}", str(path), number)


def read_youtube_spam(path: Path) -> Iterator[LabeledRow]:
    """UCI YouTube Spam Collection: ``CONTENT`` and ``CLASS`` (1 spam); AUTHOR/DATE unused."""
    for number, row in _csv_rows(path, encoding="utf-8-sig"):
        yield LabeledRow(row["CONTENT"], spam=int(row["CLASS"]), source=str(path), line=number)


def read_sms_spam(path: Path) -> Iterator[LabeledRow]:
    """UCI SMS Spam Collection: ``ham|spam<TAB>text`` lines."""
    with path.open(encoding="utf-8", errors="replace") as stream:
        for number, line in enumerate(stream, start=1):
            label, _, text = line.rstrip("\n").partition("\t")
            if label in ("ham", "spam") and text.strip():
                yield LabeledRow(text, spam=int(label == "spam"), source=str(path), line=number)


def read_ethos(path: Path) -> Iterator[LabeledRow]:
    """ETHOS. Multi-label file: incitement = ``violence >= 0.5``. Binary file: rows with
    ``isHate < 0.5`` are incitement 0 (not hate, so no call to violence); hateful rows carry
    no incitement label there (the multi-label file labels them)."""
    for number, row in _csv_rows(path, delimiter=";"):
        text = row.get("comment") or ""
        if "violence" in row:
            label: int | None = int(float(row["violence"]) >= 0.5)
        else:
            label = 0 if float(row["isHate"]) < 0.5 else None
        if label is not None and text.strip():
            yield LabeledRow(text, incitement=label, source=str(path), line=number)


def read_davidson(path: Path) -> Iterator[LabeledRow]:
    """Davidson et al. hate/offensive tweets: abusive but not incitement, labeled 0."""
    for number, row in _csv_rows(path):
        yield LabeledRow(row["tweet"], incitement=0, source=str(path), line=number)


def read_olid(path: Path) -> Iterator[LabeledRow]:
    """OLID: not-offensive tweets (``subtask_a == NOT``) are incitement 0; others unlabeled."""
    for number, row in _csv_rows(path, delimiter="\t"):
        if row["subtask_a"] == "NOT":
            yield LabeledRow(row["tweet"], incitement=0, source=str(path), line=number)


def _ruw_stance(row: dict) -> str | None:
    stances = {row["Target 1"]: row["Stance 1"], row["Target 2"]: row["Stance 2"]}
    russia, ukraine = stances.get("Russia"), stances.get("Ukraine")
    if russia == "AGAINST" and ukraine == "FAVOR":
        return "pro_ukraine"
    if russia == "FAVOR" and ukraine == "AGAINST":
        return "pro_russia"
    if russia == "NONE" and ukraine == "NONE":
        return "neutral"
    return None


def read_ruw(path: Path) -> Iterator[LabeledRow]:
    """RUW Russia-Ukraine tweets: AGAINST Russia + FAVOR Ukraine = pro_ukraine, the reverse
    pro_russia, NONE/NONE neutral; other combinations dropped."""
    for number, row in _csv_rows(path, encoding="gb18030"):
        stance = _ruw_stance(row)
        if stance is not None:
            yield LabeledRow(row["Tweet"], stance=stance, source=str(path), line=number)


def semeval_target(name: str) -> str:
    """SemEval-2016 target name as a head key: "Climate Change is a Real Concern" -> ..."""
    return "semeval_" + "_".join(name.casefold().split())


def read_semeval(path: Path) -> Iterator[LabeledRow]:
    """SemEval-2016 Task 6: one stance target per row (FAVOR / AGAINST / NONE)."""
    for number, row in _csv_rows(path, encoding="latin-1", delimiter="\t"):
        text = row["Tweet"].replace("#SemST", "").strip()
        yield LabeledRow(
            text,
            stance=row["Stance"].casefold(),
            target=semeval_target(row["Target"]),
            source=str(path),
            line=number,
        )


def read_rumoureval(path: Path) -> Iterator[LabeledRow]:
    """RumourEval 2017 subtask A: a reply's stance to its thread (support/deny/query/comment)."""
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            row = json.loads(line)
            yield LabeledRow(
                row["text"],
                stance=row["label"],
                target="rumour_reply",
                source=str(path),
                line=number,
            )


def _first_line(path: Path) -> str:
    with path.open("rb") as stream:
        for _ in range(20):
            line = stream.readline(4096).decode("utf-8", "replace").lstrip("\ufeff").strip()
            if line:
                return line
    return ""


def read_review_decisions(path: Path) -> Iterator[LabeledRow]:
    """A ``moderation review`` database: its moderators' latest decisions, as the rows that
    ``moderation review export`` writes (``"source": "moderator"``)."""
    from moderation.review.export import read_review_db

    yield from read_review_db(path)


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(16) == b"SQLite format 3\x00"


def detect_adapter(path: Path):  # noqa: ANN201 - returns one of the readers above
    """Pick the reader for a labeled file from its header (or first line)."""
    if _is_sqlite(path):
        return read_review_decisions
    head = _first_line(path)
    if head.startswith("{"):
        return (
            read_rumoureval if '"source_text"' in head and '"label"' in head else read_project_jsonl
        )
    if head.startswith("COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS"):
        return read_youtube_spam
    if head.startswith(("ham\t", "spam\t")):
        return read_sms_spam
    if head.startswith(("comment;violence", "comment;isHate")):
        return read_ethos
    if head.endswith(",class,tweet"):
        return read_davidson
    if head.startswith("id\ttweet\tsubtask_a"):
        return read_olid
    if head.startswith("Tweet,Target 1,Stance 1"):
        return read_ruw
    if head.startswith("ID\tTarget\tTweet\tStance"):
        return read_semeval
    if "text" in [name.strip() for name in head.split(",")]:
        return read_project_csv
    raise DataError(
        f"{path}: unknown labeled format (first line {head[:60]!r}); use the project's JSONL/CSV "
        "columns text, stance, spam, incitement, target, or a supported public corpus"
    )


def read_labeled(paths: Iterable[str | Path]) -> list[LabeledRow]:
    """Read labeled files and folders (``*.jsonl`` and ``*.csv`` inside, sorted)."""
    rows: list[LabeledRow] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in (".jsonl", ".csv"))
            if not files:
                raise DataError(f"{path}: no .jsonl or .csv files in this folder")
        elif path.is_file():
            files = [path]
        else:
            raise DataError(f"{path}: no such file or folder")
        for file in files:
            rows.extend(detect_adapter(file)(file))
    if not rows:
        raise DataError("no labeled rows in " + ", ".join(map(str, paths)))
    return rows


def data_hash(rows: Iterable[LabeledRow]) -> str:
    """sha256 over the texts and labels, in order: names the exact training data."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row.labels(), sort_keys=True, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def text_key(text: str) -> str:
    """What two texts must share to count as the same comment: whitespace and case folded."""
    return " ".join(text.split()).casefold()


def dedupe(rows: Iterable[LabeledRow]) -> list[LabeledRow]:
    """Drop rows whose text repeats an earlier row's (same :func:`text_key`; keeps the first)."""
    seen: set[str] = set()
    kept = []
    for row in rows:
        key = text_key(row.text)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


__all__ = [
    "DEFAULT_TARGET",
    "MODERATOR_SOURCE",
    "LabeledRow",
    "data_hash",
    "dedupe",
    "detect_adapter",
    "read_labeled",
    "text_key",
]
