"""Dump text fields that hold HTML are decoded: detected by default, or forced either way."""

from __future__ import annotations

import json

from click.testing import CliRunner

from moderation.cli import main
from moderation.parse import parse
from moderation.records import Comment

ROWS = [
    {"id": "e", "text": "I&#39;m &quot;fine&quot; &amp; you?"},
    {"id": "t", "text": "first line<br />second <a href='http://x.example'>link</a>"},
    {"id": "b", "text": "like this\ufeff"},
    {"id": "p", "text": "plain & simple, 3 < 4"},
]


def _texts(data: bytes, **settings: object) -> dict[str, str]:
    return {r.id: r.text for r in parse(data, **settings) if isinstance(r, Comment)}


def _jsonl() -> bytes:
    return "".join(json.dumps(row) + "\n" for row in ROWS).encode()


def test_entities_tags_and_byte_order_marks_are_decoded_when_detected() -> None:
    texts = _texts(_jsonl())
    assert texts == {
        "e": 'I\'m "fine" & you?',
        "t": "first line\nsecond link",
        "b": "like this",
        "p": "plain & simple, 3 < 4",
    }


def test_plain_text_keeps_markup_as_written_and_html_text_decodes_every_field() -> None:
    plain = _texts(_jsonl(), html_text=False)
    assert plain["e"] == ROWS[0]["text"] and plain["t"] == ROWS[1]["text"]
    assert plain["b"] == "like this"  # U+FEFF is never text
    forced = _texts(b'{"id": "x", "text": "a &amp b"}\n', html_text=True)
    assert forced == {"x": "a & b"}  # an entity without its semicolon, decoded only when forced
    assert _texts(b'{"id": "x", "text": "a &amp b"}\n') == {"x": "a &amp b"}


def test_csv_dump_fields_are_decoded_the_same_way() -> None:
    data = 'id,text\n1,"Check this&#39;s out<br />now\ufeff"\n'.encode()
    assert _texts(data) == {"1": "Check this's out\nnow"}


def test_parse_command_has_both_switches(tmp_path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_bytes(_jsonl())
    for switch, expected in ((None, 'I\'m "fine" & you?'), ("--plain-text", ROWS[0]["text"])):
        args = ["parse", str(dump)] + ([switch] if switch else [])
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout.splitlines()[0])["text"] == expected
