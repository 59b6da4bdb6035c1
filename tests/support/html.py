"""Reading the web pages in tests: elements with their attributes, text and ancestors, a
table's cells, and the fields a form would send.

``Page(html)`` keeps every element in document order. An element's ``text`` holds all the text
inside it, its descendants' included; ``words()`` is that text with the whitespace collapsed.
Attributes written without a value (``hidden``) are present with the value ``""``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements that have no end tag, so they never hold text or other elements.
VOID = frozenset({"meta", "link", "input", "br", "img", "hr", "source"})


@dataclass(eq=False)  # two elements are the same only if they are one element of the page
class Element:
    tag: str
    attrs: dict[str, str]
    parents: list[Element] = field(default_factory=list)
    text: str = ""

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def within(self, other: Element) -> bool:
        return other in self.parents

    def inside(self, tag: str, cls: str) -> Element | None:
        """The nearest ancestor with this tag and class."""
        for parent in reversed(self.parents):
            if parent.tag == tag and cls in parent.classes():
                return parent
        return None

    def words(self) -> str:
        return " ".join(self.text.split())


class Page(HTMLParser):
    """Every element of a page with its attributes, its text and its ancestors."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.html = html
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parents=list(self._open))
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        """The elements with this tag, class and attributes (``data_day`` is ``data-day``)."""
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.classes())
            and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def by_id(self, element_id: str) -> Element:
        (element,) = [e for e in self.elements if e.attrs.get("id") == element_id]
        return element

    def with_attr(self, name: str) -> dict[str, Element]:
        """The elements that carry attribute ``name`` (with a value), keyed by that value."""
        return {e.attrs[name]: e for e in self.elements if e.attrs.get(name)}

    def inside(
        self, parent: Element, tag: str | None = None, cls: str | None = None
    ) -> list[Element]:
        return [e for e in self.find(tag, cls) if e.within(parent)]

    def words_of(self, element_id: str) -> str:
        return self.by_id(element_id).words()

    def rows(self, table_id: str) -> list[list[str]]:
        """The table's rows, header rows included, as the words of their cells."""
        table = self.by_id(table_id)
        return [
            [cell.words() for cell in self.inside(row) if cell.tag in ("td", "th")]
            for row in self.inside(table, "tr")
        ]


class _Form(HTMLParser):
    """The fields one form of a page would send: inputs, selected options, text areas."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = found.get("id") == self.form_id
        if not self.inside or ("name" not in found and tag != "option"):
            return
        if tag == "input" and found.get("type") == "checkbox":
            if "checked" in found:  # as a browser does: an unticked box is not sent
                self.fields[found["name"]] = found.get("value", "on")
        elif tag == "input":
            self.fields[found["name"]] = found.get("value", "")
        elif tag == "select":
            self._select = found["name"]
            self.fields[self._select] = ""
        elif tag == "option" and self._select is not None and "selected" in found:
            self.fields[self._select] = found.get("value", "")
        elif tag == "textarea":
            self._textarea = found["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html: str, form_id: str) -> dict[str, str]:
    """What submitting the form with this id would send, as a browser fills it."""
    parser = _Form(form_id)
    parser.feed(html)
    return parser.fields
