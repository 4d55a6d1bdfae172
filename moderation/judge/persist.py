"""Model files: plain arrays and values in a container, beside a card that holds its checksum.

``models/default.joblib`` goes with ``models/default.card.json`` (and a readable ``.card.md``).
Loading checks the file's sha256 against the card *before* reading anything, then the schema
version and the label sets, and fails with one :class:`ModelError` line otherwise.

Two containers hold the same state: joblib (the default) and NumPy ``.npz`` with the
non-array values as JSON, read with ``allow_pickle=False``. joblib files can run code when
loaded, so never load a ``.joblib`` model from an untrusted source; an ``.npz`` model cannot.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import zlib
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from moderation.errors import ModelError

SCHEMA_VERSION = 4  # 3: the link-shape columns of judge/links.py; 4: the promotion column
DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "default.joblib"


def card_path(model_path: Path) -> Path:
    """``models/x.joblib`` -> ``models/x.card.json``."""
    return model_path.with_name(model_path.stem + ".card.json")


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


_ARRAY = "__array__"


def _split_arrays(value: Any, arrays: dict[str, np.ndarray], key: str) -> Any:
    """Replace arrays in a nested state by references, collecting them in ``arrays``."""
    if isinstance(value, np.ndarray):
        arrays[key] = value
        return {_ARRAY: key}
    if isinstance(value, dict):
        return {k: _split_arrays(v, arrays, f"{key}/{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_split_arrays(v, arrays, f"{key}/{i}") for i, v in enumerate(value)]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _join_arrays(value: Any, arrays: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_ARRAY}:
            return arrays[value[_ARRAY]]
        return {k: _join_arrays(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_join_arrays(v, arrays) for v in value]
    return value


def _write_npz(state: dict[str, Any], stream: Any) -> None:
    arrays: dict[str, np.ndarray] = {}
    tree = _split_arrays(state, arrays, "state")
    meta = np.frombuffer(json.dumps(tree, sort_keys=True).encode(), dtype=np.uint8)
    np.savez_compressed(stream, __meta__=meta, **arrays)


def _read_npz(path: Path) -> dict[str, Any]:
    with np.load(path, allow_pickle=False) as archive:
        tree = json.loads(archive["__meta__"].tobytes().decode())
        return _join_arrays(tree, archive)


def save_state(state: dict[str, Any], path: Path, card: dict[str, Any]) -> dict[str, Any]:
    """Write the model state (``.npz``: no pickle; else joblib) and its card; return the card."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    state = {"schema_version": SCHEMA_VERSION, **state}
    if path.suffix == ".npz":
        with temporary.open("wb") as stream:
            _write_npz(state, stream)
    else:
        joblib.dump(state, temporary, compress=3)
    temporary.replace(path)
    card = {
        **card,
        "schema_version": SCHEMA_VERSION,
        "model_file": path.name,
        "sha256": sha256_of(path),
    }
    card_path(path).write_text(
        json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return card


def load_state(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a model file against its card, then load it; return (state, card)."""
    if not path.is_file():
        raise ModelError(f"{path}: no such model file (train one with `python train.py`)")
    card_file = card_path(path)
    if not card_file.is_file():
        raise ModelError(
            f"{path}: its card {card_file.name} is missing; a model is loaded only beside the "
            "card that holds its sha256"
        )
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"{card_file}: unreadable model card ({error})") from error
    actual = sha256_of(path)
    if card.get("sha256") != actual:
        raise ModelError(
            f"{path}: sha256 {actual[:12]}… does not match its card "
            f"({str(card.get('sha256'))[:12]}…): the file was changed or damaged; "
            "refusing to load it"
        )
    if card.get("schema_version") != SCHEMA_VERSION:
        raise ModelError(
            f"{path}: model schema version {card.get('schema_version')!r}, this moderation "
            f"reads version {SCHEMA_VERSION}; retrain it with `python train.py`"
        )
    try:
        state = _read_npz(path) if path.suffix == ".npz" else joblib.load(path)
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, zlib.error, OSError) as error:
        raise ModelError(f"{path}: cannot read the model file ({error})") from error
    if not isinstance(state, dict) or state.get("schema_version") != SCHEMA_VERSION:
        raise ModelError(f"{path}: not a moderation model of schema version {SCHEMA_VERSION}")
    return state, card
