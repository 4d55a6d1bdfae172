"""Choose the character encoding of a saved HTML page the way browsers do, then check it.

Order: a byte-order mark; else the page's own declaration (``<meta charset>``, ``<meta
http-equiv="Content-Type">`` or an XML declaration), kept only when the bytes agree with it;
bytes that are valid UTF-8 and not plain ASCII are UTF-8 whatever the page declares (saved pages
are often re-encoded to UTF-8 with the old declaration left in); else a statistical guess by
charset-normalizer; Windows-1252 as the last resort. libxml2 left to itself reads a page whose
``<title>`` holds non-ASCII text before its ``<meta charset>`` as Latin-1, which is why the
reader decides here and tells lxml.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

__all__ = ["Decoded", "declared_encoding", "decode_page"]

# Browsers look for the declaration in the first 1024 bytes; saved pages put long titles,
# descriptions and scripts first, so the whole <head> (at most this much) is searched.
HEAD_BYTES = 65536
_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG: these labels mean Windows-1252 in a browser, and pages rely on it (curly quotes).
_AS_WINDOWS_1252 = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})


@dataclass(frozen=True, slots=True)
class Decoded:
    """A page's text and how its encoding was chosen.

    Attributes
    ----------
    text : str
        The page, decoded (a byte-order mark removed).
    encoding : str
        Python's name of the codec used.
    how : str
        ``"bom"``, ``"declared"``, ``"utf-8"`` (valid UTF-8 over a declaration or none),
        ``"detected"`` (charset-normalizer) or ``"fallback"``.
    """

    text: str
    encoding: str
    how: str


def _codec_name(label: str) -> str | None:
    """Python's codec name for an encoding label, ``None`` for labels no codec has."""
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    if name in _AS_WINDOWS_1252:
        return "cp1252"
    if name.startswith("utf-16") or name.startswith("utf-32"):
        return "utf-8"  # WHATWG: an 8-bit page that says UTF-16 is read as UTF-8
    return name


def declared_encoding(data: bytes) -> str | None:
    """The codec the page itself declares in its head, or ``None``.

    >>> declared_encoding(b'<title>x</title><meta charset="ISO-8859-1">')
    'cp1252'
    """
    head = data[:HEAD_BYTES]
    match = _XML_DECLARATION.match(head)
    if match:
        name = _codec_name(match.group(1).decode("ascii"))
        if name:
            return name
    for meta in _META.finditer(head):
        tag = meta.group(0)
        found = _CHARSET.search(tag)
        if found:
            name = _codec_name(found.group(1).decode("ascii"))
            if name:
                return name
    return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _fits(data: bytes, encoding: str) -> bool:
    """Whether the bytes decode in that codec without an error."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _detected(data: bytes) -> str | None:
    """charset-normalizer's best codec for bytes that neither UTF-8 nor a declaration explain."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    return _codec_name(best.encoding)


def decode_page(data: bytes) -> Decoded:
    """Decode a page's bytes with the encoding a browser would use, checked against the bytes.

    >>> page = '<title>Caf\\u00e9</title><meta charset="utf-8">'.encode()
    >>> decode_page(page).text[:11], decode_page(page).how
    ('<title>Café', 'declared')
    >>> decode_page('<meta charset="iso-8859-1"><p>Gr\\u00fc\\u00dfe'.encode()).how
    'utf-8'
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(encoding, errors="replace"), encoding, "bom")
    declared = declared_encoding(data)
    utf8 = _is_utf8(data)
    if declared == "utf-8" and utf8:
        return Decoded(data.decode("utf-8"), "utf-8", "declared")
    if utf8 and not data.isascii():
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    if declared is not None and _fits(data, declared):
        return Decoded(data.decode(declared), declared, "declared")
    if utf8:  # plain ASCII with no usable declaration
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    guess = _detected(data)
    if guess is not None:
        return Decoded(data.decode(guess, errors="replace"), guess, "detected")
    return Decoded(data.decode("cp1252", errors="replace"), "cp1252", "fallback")
