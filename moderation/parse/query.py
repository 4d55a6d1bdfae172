"""Selectors evaluated in Python, each beside the XPath expression it stands for.

libxml2 evaluates ``contains(concat(' ', normalize-space(@class), ' '), ' token ')`` once per
token and element, so an expression that tests a long list of class names costs many times a
walk over the elements; a search of each ``class`` attribute with one regular expression, or a
test of its ``id``, gives the same elements at a fraction of the cost. A :class:`Query` is
called as a compiled :class:`lxml.etree.XPath` is (``query(context)``) and keeps the
expression it replaces (``query.xpath``), so that the tests can check that both find the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Literal

from lxml import etree

__all__ = ["Query", "Scope", "class_pattern"]

Scope = Literal["self", "descendants", "document"]
# How many class values a query remembers before it starts again (a bound on memory).
_SEEN_LIMIT = 4096
# XPath's white space, the separators normalize-space() knows (Python's split() knows more).
_XML_SPACE = " \t\n\r"


def class_pattern(tokens: Iterable[str]) -> re.Pattern[str]:
    """A pattern that finds any of ``tokens`` as a whole word of a ``class`` value.

    Words are separated by XPath's white space only, as ``normalize-space`` separates them.

    >>> bool(class_pattern(["comment"]).search("odd comment\\tdepth-1"))
    True
    >>> bool(class_pattern(["comment"]).search("comment-form"))
    False
    """
    words = sorted(set(tokens), key=len, reverse=True)
    if not words:
        raise ValueError("empty selector group: give at least one class")
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(f"(?:^|[{_XML_SPACE}])(?:{alternatives})(?=[{_XML_SPACE}]|$)")


class Query:
    """Elements (or one attribute of each) that pass a test, in document order.

    Parameters
    ----------
    expression : str
        The XPath expression the query stands for; compiled as :attr:`xpath`.
    scope : {"descendants", "document", "self"}
        ``.//*`` (the context's descendants), ``//*`` (the whole document) or
        ``boolean(self::*[...])`` (whether the context itself passes).
    classes : iterable of str, optional
        The element's ``class`` must hold one of these as a whole word.
    tags : iterable of str, optional
        The element's tag must be one of these (walked by lxml, not tested in Python).
    test : callable, optional
        A further test of the element.
    attribute : str, optional
        Give this attribute's value of each element found instead of the element.
    """

    __slots__ = (
        "_attribute",
        "_classes",
        "_scope",
        "_seen",
        "_tags",
        "_test",
        "expression",
        "xpath",
    )

    def __init__(
        self,
        expression: str,
        *,
        scope: Scope = "descendants",
        classes: Iterable[str] = (),
        tags: Iterable[str] = (),
        test: Callable[[etree._Element], bool] | None = None,
        attribute: str | None = None,
    ) -> None:
        if scope not in ("self", "descendants", "document"):
            raise ValueError(f"scope {scope!r}: use 'self', 'descendants' or 'document'")
        self.expression = expression
        self.xpath = etree.XPath(expression)
        classes = tuple(classes)
        self._classes = class_pattern(classes).search if classes else None
        # class values already tested: pages repeat theirs on every comment
        self._seen: dict[str, bool] = {}
        self._tags = tuple(tags)
        self._test = test
        self._scope = scope
        self._attribute = attribute

    def __repr__(self) -> str:
        return f"Query({self.expression!r})"

    def matches(self, element: etree._Element) -> bool:
        """Whether one element passes the tag, class and further tests."""
        if self._tags and element.tag not in self._tags:
            return False
        if self._classes is not None:
            value = element.get("class")
            if value is None or not self._has_class(value):
                return False
        return self._test is None or self._test(element)

    def _has_class(self, value: str) -> bool:
        hit = self._seen.get(value)
        if hit is None:
            if len(self._seen) >= _SEEN_LIMIT:
                self._seen.clear()
            hit = self._seen[value] = self._classes(value) is not None  # type: ignore[misc]
        return hit

    def __call__(self, context: etree._Element) -> list | bool:
        """The elements found from ``context`` (their attribute values), or for the scope
        ``"self"`` whether ``context`` passes."""
        if self._scope == "self":
            return self.matches(context)
        tags = self._tags or (etree.Element,)
        if self._scope == "document":
            elements = context.getroottree().iter(*tags)
        else:
            elements = context.iterdescendants(*tags)
        test = self._test
        if self._classes is not None:
            has_class = self._has_class
            found = [
                element
                for element in elements
                if (value := element.get("class")) is not None
                and has_class(value)
                and (test is None or test(element))
            ]
        elif test is not None:
            found = [element for element in elements if test(element)]
        else:
            found = list(elements)
        if self._attribute is not None:
            return [element.get(self._attribute) for element in found]
        return found
