"""Platform exports and comment dumps: Disqus, WXR, Reddit, JSONL / JSON / CSV, unsafe XML."""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import pytest

from moderation.errors import ParseError
from moderation.parse import Input, ParseOptions, parse, xmlsafe
from moderation.parse.disqus import read_disqus
from moderation.parse.dumps import read_dump
from moderation.parse.reddit import read_reddit
from moderation.parse.wxr import read_wxr
from moderation.records import Article, Comment, Record, Rejection, Unloaded
from tests.support import FIXTURES

EXPORTS = FIXTURES / "exports"
JSONL_FIELDS = {
    "id": "Nr",
    "text": "Kommentar",
    "parent": "Antwort_auf",
    "article": "Artikel",
    "author": "Nutzer",
    "time": "Zeit",
}
CSV_FIELDS = {
    "id": "Nummer",
    "text": "Beitrag",
    "parent": "Antwort_auf",
    "article": "Seite",
    "author": "Autor",
    "time": "Datum",
}


def records(path: Path | str | bytes, **settings: object) -> list[Record]:
    return list(parse(path, **settings))


def comments_of(items: list[Record]) -> dict[str, Comment]:
    return {item.id: item for item in items if isinstance(item, Comment)}


def rejections_of(items: list[Record]) -> list[Rejection]:
    return [item for item in items if isinstance(item, Rejection)]


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


# --- Disqus -------------------------------------------------------------------------------


def test_disqus_posts_become_comments_with_threads_parents_and_flags() -> None:
    items = records(EXPORTS / "disqus-small.xml", articles=True)
    articles = [item for item in items if isinstance(item, Article)]
    assert [(a.id, a.title, a.url) for a in articles] == [
        ("200", "Sowing tomatoes in March", "https://gardenclub.example/tomatoes-in-march"),
        ("201", None, None),
    ]
    comments = comments_of(items)
    assert list(comments) == ["300", "301", "302", "303", "304"]
    assert [c.position for c in comments.values()] == [1, 2, 3, 4, 5]
    assert all(c.format == "disqus" for c in comments.values())

    first = comments["300"]
    assert first.text == (
        "I sow mine on the windowsill & it works.\n\nSecond paragraph with a link."
    )
    assert "<p>" not in first.text and "href" not in first.text
    assert (first.article_id, first.parent_id, first.author) == ("200", None, "Ada Gardener")
    assert (first.created_at, first.line) == ("2021-03-02T09:15:00Z", 21)

    reply = comments["301"]
    assert (reply.parent_id, reply.author) == ("300", "bob_b")  # username when no name

    deleted = comments["302"]
    assert deleted.deleted and deleted.text == "" and not deleted.platform_spam
    kept = comments["304"]
    assert kept.deleted and kept.text == "Removed by its author, text kept by the export."
    assert (kept.article_id, kept.parent_id) == ("201", "302")

    spam = comments["303"]
    assert spam.platform_spam and not spam.deleted
    assert spam.text == "Cheap watches at best prices!!!"
    assert not any(c.platform_spam for key, c in comments.items() if key != "303")


def test_disqus_live_post_without_text_is_rejected_not_dropped() -> None:
    rejections = rejections_of(records(EXPORTS / "disqus-small.xml"))
    assert [(r.reason, r.line, r.id) for r in rejections] == [
        ("post has no message text", 80, "305")
    ]


def test_disqus_reader_yields_articles_and_parse_filters_them() -> None:
    source = Input(str(EXPORTS / "disqus-small.xml"), path=EXPORTS / "disqus-small.xml")
    direct = list(read_disqus(source, ParseOptions()))
    assert sum(isinstance(item, Article) for item in direct) == 2
    assert not any(isinstance(item, Article) for item in records(EXPORTS / "disqus-small.xml"))


# --- WordPress WXR ------------------------------------------------------------------------


def test_wxr_comment_states_kinds_and_replies() -> None:
    comments = comments_of(records(EXPORTS / "wxr-small.xml"))
    assert list(comments) == ["501", "502", "503", "504", "505", "506", "507", "12/502", "508"]
    states = {key: (c.approved, c.platform_spam, c.deleted, c.kind) for key, c in comments.items()}
    assert states["501"] == (True, False, False, "comment")
    assert states["503"] == (False, False, False, "comment")
    assert states["504"] == (False, True, False, "comment")
    assert states["505"] == (None, False, True, "comment")
    assert states["506"] == (True, False, False, "pingback")
    assert states["507"] == (True, False, False, "trackback")
    assert comments["502"].parent_id == "501"
    assert comments["502"].text == "Thanks Dana, glad it helped!"
    assert comments["506"].text == "[…] a useful post on truing wheels […]"
    assert all(c.format == "wxr" for c in comments.values())
    assert {c.article_id for c in comments.values()} == {"10", "12"}


def test_wxr_dates_prefer_gmt_as_iso_utc() -> None:
    comments = comments_of(records(EXPORTS / "wxr-small.xml"))
    assert comments["501"].created_at == "2020-05-02T10:00:00Z"
    assert comments["503"].created_at == "2020-05-03 09:00:00"  # GMT date is zero: local kept


def test_wxr_repeated_comment_id_is_made_unique_and_replies_follow() -> None:
    comments = comments_of(records(EXPORTS / "wxr-small.xml"))
    assert comments["12/502"].text.startswith("Same id as a comment on another post")
    assert comments["508"].parent_id == "12/502"
    assert len(comments) == len(set(comments))


def test_wxr_comment_id_repeated_within_one_post_stays_unique() -> None:
    comment = "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>{}"
    xml = (
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>'
        "<wp:post_id>5</wp:post_id>"
        + "".join(comment.format(text) + "</wp:comment_content></wp:comment>" for text in "abc")
        + "</item></channel></rss>"
    )
    comments = comments_of(records(xml.encode(), format="wxr"))
    assert [(c.id, c.text) for c in comments.values()] == [("1", "a"), ("5/1", "b"), ("5/1-2", "c")]


def test_wxr_articles_only_for_items_with_comments_and_body_from_content() -> None:
    items = records(EXPORTS / "wxr-small.xml", articles=True)
    articles = {item.id: item for item in items if isinstance(item, Article)}
    assert list(articles) == ["10", "12"]
    assert articles["10"].body == "You need a spoke key and patience.\n\nStart at the valve."
    assert articles["10"].date == "2020-05-01T08:00:00Z"
    assert "excerpt" not in articles["10"].body


def test_wxr_reader_directly() -> None:
    source = Input("wxr-small.xml", path=EXPORTS / "wxr-small.xml")
    kinds = [c.kind for c in read_wxr(source, ParseOptions()) if isinstance(c, Comment)]
    assert kinds.count("pingback") == 1 and kinds.count("trackback") == 1


# --- Reddit -------------------------------------------------------------------------------


def test_reddit_thread_comments_in_order_with_parents() -> None:
    items = records(EXPORTS / "reddit-thread.json", articles=True)
    article = next(item for item in items if isinstance(item, Article))
    assert (article.id, article.title) == ("t3_abc123", "Finally rode 100 km & survived")
    assert article.date == "2020-09-13T12:26:40Z" and article.site == "r/bicycling"
    comments = comments_of(items)
    assert list(comments) == ["t1_c1", "t1_c2", "t1_c3", "t1_c4", "t1_c6"]
    assert [comments[key].parent_id for key in comments] == [None, "t1_c1", "t1_c2", None, None]
    assert {c.article_id for c in comments.values()} == {"t3_abc123"}
    assert comments["t1_c2"].text == "A cheap one > an expensive one that does not fit."
    assert comments["t1_c3"].text == "Fair point <3"
    assert comments["t1_c6"].text == "Well done.\n\nSee you on the road."
    assert comments["t1_c1"].created_at == "2020-09-13T12:28:20Z"
    assert comments["t1_c4"].deleted and comments["t1_c4"].text == "[deleted]"
    assert all(c.format == "reddit" for c in comments.values())


def test_reddit_more_stubs_are_reported_never_invented() -> None:
    items = records(EXPORTS / "reddit-thread.json")
    unloaded = [item for item in items if isinstance(item, Unloaded)]
    assert [(u.parent_id, u.count, u.ids) for u in unloaded] == [
        ("t1_c3", 0, []),
        ("t1_c1", 3, ["t1_c9"]),
        (None, 12, ["t1_c7", "t1_c8"]),
    ]
    assert all(u.article_id == "t3_abc123" for u in unloaded)
    ids = set(comments_of(items))
    assert not ids & {"t1_c7", "t1_c8", "t1_c9"}


def test_reddit_body_that_is_not_a_string_is_rejected() -> None:
    rejections = rejections_of(records(EXPORTS / "reddit-thread.json"))
    assert [(r.reason, r.id) for r in rejections] == [("text is not a string", "t1_c5")]


def _deep_thread(depth: int) -> str:
    """A Reddit thread whose comments each reply to the one before, as JSON text."""
    opening = []
    for level in range(1, depth + 1):
        parent = f"t1_n{level - 1}" if level > 1 else "t3_p"
        opening.append(
            '{"kind": "Listing", "data": {"children": [{"kind": "t1", "data": '
            f'{{"name": "t1_n{level}", "parent_id": "{parent}", "link_id": "t3_p", '
            f'"body": "level {level}", "replies": '
        )
    post = '{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"name": "t3_p"}}]}}'
    return f"[{post}, " + "".join(opening) + '""' + "}}]}}" * depth + "]"


def test_reddit_deep_nesting_is_walked_without_recursion(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(_deep_thread(150), encoding="utf-8")
    source = Input(str(path), path=path)
    comments = [c for c in read_reddit(source, ParseOptions()) if isinstance(c, Comment)]
    assert len(comments) == 150
    assert comments[-1].parent_id == "t1_n149" and comments[0].parent_id is None


def test_reddit_too_deep_for_json_is_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deeper.json"
    path.write_text(_deep_thread(400), encoding="utf-8")  # 2,000 levels of JSON
    (rejection,) = records(path)
    assert isinstance(rejection, Rejection) and "nested too deeply" in rejection.reason
    with pytest.raises(ParseError, match="nested too deeply"):
        records(path, strict=True)


# --- JSONL / CSV / JSON dumps --------------------------------------------------------------


def test_jsonl_with_configured_fields_and_broken_rows() -> None:
    items = records(EXPORTS / "comments-custom.jsonl", fields=JSONL_FIELDS)
    comments = comments_of(items)
    assert list(comments) == ["k1", "k2", "comments-custom/9", "k8"]
    assert [c.position for c in comments.values()] == [1, 2, 3, 4]
    assert [c.line for c in comments.values()] == [1, 2, 9, 11]
    k2 = comments["k2"]
    assert (k2.parent_id, k2.article_id, k2.author) == ("k1", "a-7", "ben")
    assert k2.created_at == "2022-01-05T11:00:00Z"  # epoch seconds
    assert comments["k1"].created_at == "2022-01-05T10:00:00Z"  # kept as given
    assert comments["comments-custom/9"].text == "Ohne Nummer, aber mit HTML."
    assert all(c.format == "jsonl" for c in comments.values())
    assert [(r.line, r.id, r.reason.split(" (")[0]) for r in rejections_of(items)] == [
        (3, "k3", "text is not a string"),
        (5, "k4", "text is not a string"),
        (6, None, "invalid JSON: Invalid control character at"),
        (7, None, "row is not a JSON object"),
        (8, "k6", "row has no text field"),
        (10, "7", "row has empty text"),
    ]


def test_jsonl_guesses_common_field_names_ignoring_case(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "guessed.jsonl",
        [
            {
                "Comment_ID": 10,
                "Body": "Guessed text",
                "In_Reply_To": 9,
                "thread_id": "th",
                "User": "zoe",
                "created_utc": 1600000000,
            },
            {"id": "x1", "name": "Alice", "message": "name is the author here"},
            {"name": "t1_y", "author": "bob", "content": "name is the id here"},
        ],
    )
    comments = comments_of(records(path))
    guessed = comments["10"]
    assert (guessed.text, guessed.parent_id, guessed.article_id) == ("Guessed text", "9", "th")
    assert (guessed.author, guessed.created_at) == ("zoe", "2020-09-13T12:26:40Z")
    assert comments["x1"].author == "Alice"
    assert comments["t1_y"].author == "bob"


def test_jsonl_is_read_lazily_line_by_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "lazy.jsonl", [{"text": f"row {i}"} for i in range(1000)])
    stream = parse(path)
    first = next(stream)
    assert isinstance(first, Comment) and first.text == "row 0"
    assert first.id == "lazy/1"
    stream.close()


def test_csv_with_configured_fields_semicolons_multiline_and_broken_rows() -> None:
    items = records(EXPORTS / "comments-custom.csv", fields=CSV_FIELDS)
    comments = comments_of(items)
    assert list(comments) == ["c1", "c2", "comments-custom/7", "c6"]
    assert [c.line for c in comments.values()] == [2, 3, 7, 9]
    assert comments["c1"].text == "Erster Beitrag, mit Komma"
    assert comments["c2"].text == "Zweiter Beitrag\nueber zwei Zeilen; mit Semikolon"
    assert (comments["c2"].parent_id, comments["c2"].author) == ("c1", "finn")
    assert comments["c6"].parent_id == "c2" and comments["c6"].author is None
    assert all(c.format == "csv" for c in comments.values())
    assert [(r.line, r.id, r.reason) for r in rejections_of(items)] == [
        (5, "c3", "row has empty text"),
        (6, None, "row has 7 fields, the header 6"),
    ]


def test_csv_without_a_text_column_says_how_to_name_it() -> None:
    (rejection,) = records(EXPORTS / "comments-custom.csv")
    assert isinstance(rejection, Rejection) and rejection.line == 1
    assert "fields={'text': ...}" in rejection.reason and "Beitrag" in rejection.reason


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiter_is_sniffed_from_the_header(tmp_path: Path, delimiter: str) -> None:
    rows = [["id", "text", "author"], ["1", "first, with comma", "ann"], ["2", "second", "bo"]]
    path = tmp_path / "dump.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, delimiter=delimiter).writerows(rows)
    comments = comments_of(records(path))
    assert [(c.id, c.text, c.author) for c in comments.values()] == [
        ("1", "first, with comma", "ann"),
        ("2", "second", "bo"),
    ]


def test_json_array_is_streamed_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text(
        '[\n  {"id": "a", "text": "one"},\n  {"id": "b", "text": 5},\n\n'
        '  {"id": "c", "text": "three"}\n]\n',
        encoding="utf-8",
    )
    items = records(path)
    assert [(c.id, c.line) for c in comments_of(items).values()] == [("a", 2), ("c", 5)]
    assert [(r.line, r.id) for r in rejections_of(items)] == [(3, "b")]


def test_json_array_broken_midway_keeps_earlier_rows(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"id": "a", "text": "one"},\n {"id": "b", "text": "tw\n', encoding="utf-8")
    items = records(path)
    assert list(comments_of(items)) == ["a"]
    (rejection,) = rejections_of(items)
    assert rejection.reason.startswith("invalid JSON") and rejection.line == 2


def test_json_threads_holding_comment_lists_become_articles(tmp_path: Path) -> None:
    threads = [
        {"id": "/blog/one/", "title": "One", "comments": [
            {"id": 1, "author": "amy", "text": "First in one", "created": "2020-01-01 10:00"},
            {"id": 2, "author": "ben", "text": "Reply in one", "parent": 1},
        ]},
        {"id": "/blog/two/", "title": "Two", "comments": [
            {"id": 1, "author": "cy", "text": "First in two"},
        ]},
    ]  # fmt: skip
    path = tmp_path / "threads.json"
    path.write_text(json.dumps(threads), encoding="utf-8")
    items = records(path, articles=True)
    assert [(a.id, a.title) for a in items if isinstance(a, Article)] == [
        ("/blog/one/", "One"),
        ("/blog/two/", "Two"),
    ]
    comments = comments_of(items)
    assert list(comments) == ["/blog/one/#1", "/blog/one/#2", "/blog/two/#1"]
    assert comments["/blog/one/#2"].parent_id == "/blog/one/#1"
    assert comments["/blog/two/#1"].article_id == "/blog/two/"
    assert comments["/blog/one/#1"].created_at == "2020-01-01 10:00"


def test_json_object_holding_one_list_and_nested_replies(tmp_path: Path) -> None:
    dump = {
        "exported": "2024-01-01",
        "comments": [
            {"id": "p1", "text": "Top", "replies": [{"id": "p2", "text": "Nested reply"}]},
            {"id": "p3", "text": "Another top"},
        ],
    }
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps(dump), encoding="utf-8")
    comments = comments_of(records(path))
    assert list(comments) == ["p1", "p2", "p3"]
    assert comments["p2"].parent_id == "p1" and comments["p3"].parent_id is None


def test_dump_reader_directly_with_options() -> None:
    source = Input("comments-custom.jsonl", path=EXPORTS / "comments-custom.jsonl")
    options = ParseOptions(fields=JSONL_FIELDS)
    items = list(read_dump(source, options, "jsonl"))
    assert sum(isinstance(item, Comment) for item in items) == 4
    with pytest.raises(ParseError, match="unknown dump format"):
        list(read_dump(source, options, "xml"))


def test_own_jsonl_output_round_trips(tmp_path: Path) -> None:
    originals: list[Record] = []
    for name in ("disqus-small.xml", "wxr-small.xml", "reddit-thread.json"):
        originals += records(EXPORTS / name, articles=True)
    path = write_jsonl(tmp_path / "out.jsonl", [item.to_dict() for item in originals])
    read_back = records(path)
    assert all(isinstance(item, Comment) for item in read_back)  # other records skipped
    assert read_back == [item for item in originals if isinstance(item, Comment)]


def test_own_jsonl_output_with_broken_text_is_rejected(tmp_path: Path) -> None:
    row = Comment(id="z", text="ok").to_dict()
    path = write_jsonl(tmp_path / "own.jsonl", [row, {**row, "id": "z2", "text": None}])
    items = records(path)
    assert list(comments_of(items)) == ["z"]
    assert [(r.line, r.id, r.reason) for r in rejections_of(items)] == [
        (2, "z2", "text is not a string")
    ]


def test_strict_mode_raises_at_the_first_bad_row() -> None:
    with pytest.raises(ParseError) as raised:
        records(EXPORTS / "comments-custom.jsonl", fields=JSONL_FIELDS, strict=True)
    assert raised.value.line == 3


# --- Unsafe and damaged XML ---------------------------------------------------------------


def test_parser_options_never_resolve_entities_or_use_the_network() -> None:
    assert xmlsafe.PARSER_OPTIONS["resolve_entities"] is False
    assert xmlsafe.PARSER_OPTIONS["no_network"] is True
    assert xmlsafe.PARSER_OPTIONS["load_dtd"] is False
    assert xmlsafe.PARSER_OPTIONS["huge_tree"] is False


def test_billion_laughs_is_refused_at_the_root_before_any_expansion(monkeypatch) -> None:
    """The mechanism, not the clock or the process's memory: the parser is asked for no event
    after the root element's start, so nothing the entities would expand to is ever built."""
    events: list[str] = []
    real_iterparse = xmlsafe.etree.iterparse

    def counting_iterparse(*args, **kwargs):
        for event, element in real_iterparse(*args, **kwargs):
            events.append(event)
            yield event, element

    monkeypatch.setattr(xmlsafe.etree, "iterparse", counting_iterparse)
    (rejection,) = records(EXPORTS / "billion-laughs.xml")
    assert isinstance(rejection, Rejection) and "declares entities" in rejection.reason
    assert rejection.line == 1
    assert events in ([], ["start"])  # refused at the DTD, or at the root's start at the latest
    with pytest.raises(ParseError, match="declares entities"):
        records(EXPORTS / "billion-laughs.xml", strict=True)


def test_external_entity_is_never_read() -> None:
    secret = (EXPORTS / "xxe-secret.txt").read_text(encoding="utf-8").split(":")[0]
    items = records(EXPORTS / "xxe-stray-char.xml", articles=True)
    assert secret not in json.dumps([item.to_dict() for item in items])
    assert not comments_of(items)
    (rejection,) = rejections_of(items)
    assert "declares entities (secret)" in rejection.reason


def test_stray_characters_before_the_declaration_are_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="moderation.parse.xmlsafe"):
        items = records(EXPORTS / "stray-char.xml")
    assert [(c.id, c.line) for c in comments_of(items).values()] == [("1", 4), ("2", 8)]
    assert not rejections_of(items)
    assert "stray byte" in caplog.text


def test_unquoted_attribute_is_repaired_without_loss(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="moderation.parse.xmlsafe"):
        items = records(EXPORTS / "unquoted-attribute.xml")
    comments = comments_of(items)
    assert list(comments) == ["1", "2", "3"]
    assert comments["2"].article_id == "9" and comments["3"].parent_id == "2"
    assert not rejections_of(items)
    assert "recovered" in caplog.text


def test_mismatched_tag_is_recovered_without_duplicates() -> None:
    items = records(EXPORTS / "mismatched-tag.xml")
    assert [(c.id, c.text) for c in comments_of(items).values()] == [
        ("1", "Fine."),
        ("2", "Broken end tag."),
        ("3", "After the damage."),
    ]
    assert not rejections_of(items)


def test_bare_ampersand_is_repaired_without_losing_it() -> None:
    xml = (
        b'<?xml version="1.0"?>\n<disqus xmlns:dsq="http://disqus.com/disqus-internals">\n'
        b'<post dsq:id="1"><message>ok</message></post>\n'
        b'<post dsq:id="2"><message>Tom & Jerry</message></post>\n</disqus>\n'
    )
    comments = comments_of(records(xml, format="disqus"))
    assert comments["2"].text == "Tom & Jerry"


def test_lost_comments_are_reported_as_a_rejection() -> None:
    xml = (
        b'<?xml version="1.0"?>\n<disqus xmlns:dsq="http://disqus.com/disqus-internals">\n'
        b'<post dsq:id="1"><message>ok</message></post>\n'
        b'<post dsq:id="2" <<message>x</message></post>\n'
        b'<post dsq:id="3"><message>after</message></post>\n</disqus>\n'
    )
    items = records(xml, format="disqus")
    assert list(comments_of(items)) == ["1"]
    lost = [r for r in rejections_of(items) if "lost" in r.reason]
    assert len(lost) == 1 and lost[0].line == 4


def test_truncated_export_keeps_earlier_comments_and_names_the_line() -> None:
    items = records(EXPORTS / "truncated.xml")
    assert list(comments_of(items)) == ["1"]
    (rejection,) = rejections_of(items)
    assert rejection.reason.startswith("truncated") and rejection.line == 9
    stream = parse(EXPORTS / "truncated.xml", strict=True)
    assert next(stream).id == "1"
    with pytest.raises(ParseError) as raised:
        next(stream)
    assert raised.value.line == 9


def test_damage_in_a_file_too_large_to_recover_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(xmlsafe, "RECOVER_LIMIT", 100)
    with pytest.raises(ParseError, match="too large to recover") as raised:
        records(EXPORTS / "unquoted-attribute.xml", strict=True)
    assert raised.value.line == 8


# --- Memory -------------------------------------------------------------------------------


def test_large_disqus_export_streams_in_flat_memory(tmp_path: Path, monkeypatch) -> None:
    """The mechanism: elements already read are freed, so the tree under the root holds no more
    than lxml's read-ahead of the 200,000 posts at once (whatever the process's own peak is)."""
    largest = [0]
    real_iterparse = xmlsafe.etree.iterparse

    def watching_iterparse(*args, **kwargs):
        root = None
        for event, element in real_iterparse(*args, **kwargs):
            root = element if root is None else root
            largest[0] = max(largest[0], len(root))
            yield event, element

    monkeypatch.setattr(xmlsafe.etree, "iterparse", watching_iterparse)
    path = tmp_path / "large-disqus.xml"
    with path.open("w", encoding="utf-8") as stream:
        stream.write(
            '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
            'xmlns:dsq="http://disqus.com/disqus-internals">\n'
            '<thread dsq:id="1"><title>Large</title></thread>\n'
        )
        stream.writelines(
            f'<post dsq:id="{number}"><message>Comment number {number} on the story.</message>'
            f'<isDeleted>false</isDeleted><thread dsq:id="1"/></post>\n'
            for number in range(200_000)
        )
        stream.write("</disqus>\n")
    count = sum(isinstance(item, Comment) for item in parse(path))
    assert count == 200_000
    assert largest[0] <= 2_000, f"{largest[0]} elements held under the root at once"
