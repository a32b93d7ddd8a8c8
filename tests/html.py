"""Reading rendered HTML in tests."""

from collections import Counter
from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.ids.extend(value for name, value in attrs if name == "id" and value is not None)


def element_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    parser.close()
    return parser.ids


def duplicate_ids(html: str) -> list[str]:
    """Every id used by more than one element, e.g. two fields both rendered as id_reason."""
    return sorted(i for i, n in Counter(element_ids(html)).items() if n > 1)
