"""The finder's disk spill: record files with a bounded tail, Bloom filters, first-seen tables
in sorted runs, and a finder that spills giving the answers of one that does not."""

from __future__ import annotations

import random

import numpy as np
import pytest

from moderation.dedup import spill as spill_module
from moderation.dedup.finder import DuplicateFinder, DuplicatesError
from moderation.dedup.first_seen import FirstSeenTable
from moderation.dedup.sketches import SketchStore
from moderation.dedup.spill import BloomFilter, IdColumn, RecordFile, SpillDir
from moderation.dedup.spilled_table import SpilledFirstSeen


def test_record_file_keeps_a_bounded_tail_and_reads_back_every_record(tmp_path) -> None:
    rng = np.random.default_rng(3)
    folder = SpillDir(tmp_path)
    records = RecordFile(folder, "test", tail_bytes=200)
    expected: list[bytes] = []
    for _ in range(40):
        lengths = rng.integers(0, 30, size=7)
        data = [bytes(rng.integers(0, 256, size=n, dtype=np.uint8)) for n in lengths]
        records.append(b"".join(data), lengths)
        expected.extend(data)
        assert len(records._tail) <= 200 + 7 * 30  # written out once past the bound
    assert records.spilled_bytes > 0 and folder.used
    rows = rng.integers(0, len(expected), size=300)
    data, lengths = records.read(rows)
    assert data.tobytes() == b"".join(expected[r] for r in rows.tolist())
    assert lengths.tolist() == [len(expected[r]) for r in rows.tolist()]
    assert records.reads > 0
    records.close()
    folder.close()
    assert not list(tmp_path.iterdir())


def test_records_stay_in_memory_without_a_spill_folder() -> None:
    records = RecordFile(None, "test", tail_bytes=8)
    records.append(b"abcdefghij" * 10, np.full(10, 10))
    assert records.spilled_bytes == 0 and records.read(np.array([9]))[0].tobytes() == b"abcdefghij"


def test_id_column_round_trips_none_empty_and_unicode(tmp_path) -> None:
    ids = IdColumn(SpillDir(tmp_path))
    ids._records.tail_bytes = 4
    values = ["c1", None, "", "коммент-2", "😀", None, "x" * 50]
    ids.extend(values[:4])
    ids.extend(values[4:])
    assert ids._records.spilled_bytes > 0
    assert ids.take(list(range(len(values)))) == values
    assert ids[3] == "коммент-2" and ids[1] is None and len(ids) == len(values)


def test_bloom_filter_has_no_false_negatives_and_few_false_positives() -> None:
    rng = np.random.default_rng(5)
    held = rng.integers(0, 2**63, size=20_000, dtype=np.int64).astype(np.uint64)
    others = rng.integers(0, 2**63, size=100_000, dtype=np.int64).astype(np.uint64)
    bloom = BloomFilter(held.size)
    bloom.add(held)
    assert bloom.might_contain(held).all()
    assert bloom.might_contain(others).mean() < 0.02
    assert bloom.nbytes <= held.size * 12 / 8 + 8


def test_spilled_table_answers_like_one_table_in_memory(tmp_path) -> None:
    rng = np.random.default_rng(0)
    folder = SpillDir(tmp_path)
    spilled, reference = SpilledFirstSeen(folder, buffer_keys=64), FirstSeenTable()
    row = 0
    for _ in range(60):
        keys = rng.integers(0, 5000, size=50).astype(np.uint64)
        rows = np.repeat(np.arange(row, row + 10), 5)
        assert spilled.first_rows(keys, rows).tolist() == reference.first_rows(keys, rows).tolist()
        assert spilled.recent_keys < 64  # the in-memory part stays bounded
        row += 10
    probe = np.arange(6000, dtype=np.uint64)
    assert spilled.get(probe).tolist() == reference.get(probe).tolist()
    assert len(spilled) == len(reference)
    assert spilled.spills > 4 and spilled.runs < spilled.spills  # spilled, and runs merged
    assert spilled.reads > 0
    spilled.close()
    assert not list(folder.path.iterdir())


def test_sketches_compare_the_same_after_spilling(tmp_path) -> None:
    rng = np.random.default_rng(2)
    rows = np.repeat(np.arange(50), 40)
    hashes = rng.integers(0, 2**20, size=rows.size).astype(np.uint64) << np.uint64(40)
    memory, spilled = SketchStore(size=16), SketchStore(size=16, spill=SpillDir(tmp_path))
    spilled.records.tail_bytes = 100
    for store in (memory, spilled):
        for part in range(5):
            at = (rows >= part * 10) & (rows < part * 10 + 10)
            store.append(rows[at] - part * 10, hashes[at], 10)
    assert spilled.records.spilled_bytes > 0
    left, right = rng.integers(0, 50, size=200), rng.integers(0, 50, size=200)
    assert spilled.similarity(left, right).tolist() == memory.similarity(left, right).tolist()
    for got, want in zip(spilled.take(left), memory.take(left), strict=True):
        assert got.tolist() == want.tolist()


def _texts(count: int, seed: int = 4) -> list[str]:
    """Texts over a small vocabulary with planted copies: exact, one word changed, short."""
    rng = random.Random(seed)
    words = [f"w{n}" for n in range(300)]
    texts: list[str] = []
    for _ in range(count):
        roll = rng.random()
        if texts and roll < 0.15:
            texts.append(rng.choice(texts))
        elif texts and roll < 0.35:
            base = rng.choice(texts).split()
            base[rng.randrange(len(base))] = rng.choice(words)
            texts.append(" ".join(base))
        else:
            texts.append(" ".join(rng.choices(words, k=rng.randint(2, 20))))
    return texts


def test_a_finder_that_spills_finds_what_one_in_memory_finds(tmp_path, monkeypatch) -> None:
    texts = _texts(3000)
    ids = [None if i % 97 == 0 else f"c{i}" for i in range(len(texts))]
    memory = DuplicateFinder(buffer_keys=0)
    streamed_memory = memory.add(texts, ids, batch_size=200)
    monkeypatch.setattr(spill_module, "DEFAULT_TAIL_BYTES", 512)
    spilling = DuplicateFinder(buffer_keys=500, spill_dir=tmp_path)
    streamed = spilling.add(texts, ids, batch_size=200)
    assert sum(m.match is not None for m in streamed) > 500
    assert streamed == streamed_memory
    assert spilling.final_matches() == memory.final_matches()
    assert spilling.ids_of(range(len(ids))) == ids
    assert spilling._near.bands.runs > 0 and spilling._texts.runs > 0
    assert spilling._near.words.records.spilled_bytes > 0
    assert spilling._ledger.ids._records.spilled_bytes > 0
    assert memory._near.bands.runs == 0 and not memory.spill.used
    assert spilling.nbytes < memory.nbytes
    spilling.close()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("batch", [1, 7])
def test_spilling_holds_for_tiny_batches(tmp_path, batch: int) -> None:
    texts = _texts(400, seed=batch)
    memory = DuplicateFinder(buffer_keys=0).add(texts, batch_size=batch)
    spilling = DuplicateFinder(buffer_keys=50, spill_dir=tmp_path)
    assert spilling.add(texts, batch_size=batch) == memory
    spilling.close()


def test_a_record_longer_than_its_file_takes_is_refused() -> None:
    records = RecordFile(None, "sketches", max_record=8)
    with pytest.raises(DuplicatesError, match="a record of 9 bytes, over the 8"):
        records.append(b"x" * 9, np.array([9]))
    assert len(records) == 0


def test_record_starts_are_found_across_checkpoint_blocks() -> None:
    records = RecordFile(None, "ids", max_record=2**20)
    lengths = np.arange(1000) % 7 * 40_000 % 70_001  # some over 65,535: 4-byte lengths
    records.append(bytes(int(lengths.sum())), lengths)
    rows = np.array([999, 0, 255, 256, 257, 511, 512, 998])
    assert records.read(rows)[1].tolist() == lengths[rows].tolist()
    assert records._spans(np.sort(rows))[0].tolist() == [
        int(lengths[:r].sum()) for r in np.sort(rows)
    ]


class _CountingNumpy:
    """NumPy as the spill module sees it, noting the size of every ``arange`` it makes."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def __getattr__(self, name: str):  # noqa: ANN204 - numpy's own attribute
        return getattr(np, name)

    def arange(self, *args, **kwargs) -> np.ndarray:  # noqa: ANN002, ANN003 - as numpy's
        made = np.arange(*args, **kwargs)
        self.sizes.append(made.size)
        return made


def test_reading_a_record_many_times_gathers_a_bounded_chunk_at_a_time(monkeypatch) -> None:
    # A candidate pair carries its right row's sketch: one record may be read thousands of
    # times, and the gather's index arrays (8 bytes per byte read) must not scale with that.
    records = RecordFile(None, "test")
    lengths = np.array([40, 0, 25, 40])
    data = [bytes(range(i, i + n)) for i, n in enumerate(lengths)]
    records.append(b"".join(data), lengths)
    rows = np.array([0, 2, 3, 1] * 500)
    counting = _CountingNumpy()
    monkeypatch.setattr(spill_module, "GATHER_BYTES", 256)
    monkeypatch.setattr(spill_module, "np", counting)
    read, read_lengths = records.read(rows)
    assert read.tobytes() == b"".join(data[r] for r in rows.tolist())
    assert read_lengths.tolist() == lengths[rows].tolist()
    assert read.size == 105 * 500 and max(counting.sizes) <= 256 + 40
