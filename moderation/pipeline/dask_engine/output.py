"""Where a Dask run's rows end up: one part file per block in an output folder, with a manifest,
or every part gathered in input order into one file (or standard output, or a stream).

A folder is an output path ending in ``/`` (or an existing folder); it may be an fsspec URL,
and every worker must be able to write it. The manifest (``manifest.json``) lists the parts
in input order with their rows and the block of input each holds, the inputs, the rows and
rejections of the run and the model's sha256.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from moderation.pipeline.dask_engine.blocks import Block
from moderation.pipeline.dask_engine.writing import PartResult, PartTarget
from moderation.pipeline.writers import open_output

if TYPE_CHECKING:
    from distributed import Future

MANIFEST = "manifest.json"


def folder_of(output: str | Path | TextIO) -> str | None:
    """The output folder when ``output`` names one, else None (a file, ``-`` or a stream)."""
    if not isinstance(output, str | Path):
        return None
    text = str(output)
    if text.endswith(("/", os.sep)) or ("://" not in text and Path(text).is_dir()):
        return text
    return None


def target_for(output: str | Path | TextIO, output_format: str) -> PartTarget:
    """Where the workers write parts: the output folder (created here), or back to the
    driver."""
    folder = folder_of(output)
    if folder is not None:
        from fsspec.core import url_to_fs

        fs, path = url_to_fs(folder)
        fs.makedirs(path, exist_ok=True)
    return PartTarget(folder, output_format)


def collect(
    parts: Sequence[Future], output: str | Path | TextIO, target: PartTarget
) -> list[PartResult]:
    """Wait for every part in order; without a folder, write their texts one after another
    into ``output`` (one CSV header), dropping each text once written."""
    if target.folder is not None:
        return [future.result() for future in parts]
    results = []
    with open_output(output) as stream:
        header = False
        for future in parts:
            result = future.result()
            future.release()
            if result.text:
                text = result.text
                if target.output_format == "csv" and header:
                    text = text.split("\n", 1)[1]  # the header row holds no line break
                stream.write(text)
                header = True
            result.text = None
            results.append(result)
    return results


def write_manifest(
    target: PartTarget,
    blocks: Iterable[Block],
    results: Iterable[PartResult],
    **facts: Any,
) -> None:
    """``manifest.json`` in the output folder: the parts in input order, and ``facts``."""
    if target.folder is None:
        return
    from fsspec.core import url_to_fs

    parts = [
        {
            "part": target.name(block.number),
            "rows": result.rows,
            "input": block.source.name,
            "bytes": [block.start, block.end] if block.kind else None,
            "first_line": block.first_line if block.kind else None,
        }
        for block, result in zip(blocks, results, strict=True)
    ]
    manifest = {**facts, "rows": sum(part["rows"] for part in parts), "parts": parts}
    fs, folder = url_to_fs(target.folder)
    with fs.open(f"{folder.rstrip('/')}/{MANIFEST}", "w", encoding="utf-8") as stream:
        stream.write(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
