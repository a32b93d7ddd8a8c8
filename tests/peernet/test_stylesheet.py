"""Colours in static/css/app.css, checked against WCAG 2.2 with the stylesheet's own values.

Focus outlines must reach 3:1 against the colour next to them (1.4.11 Non-text Contrast).
Every outline sits 2px outside its element, so what it touches is the surface the element is
on: the page and cards for most controls, the dark header bar for the navigation and for the
skip link (which appears over the header's top-left corner).
"""

import re

import pytest
from django.conf import settings

CSS = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()


def _rules() -> list[tuple[list[str], dict[str, str]]]:
    text = re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)
    # Flatten @media blocks: their rules only narrow where a rule applies.
    text = re.sub(r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", r"\1", text)
    rules = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        declarations = {}
        for declaration in body.split(";"):
            if ":" in declaration:
                name, value = declaration.split(":", 1)
                declarations[name.strip()] = value.strip()
        rules.append(([s.strip() for s in selectors.split(",")], declarations))
    return rules


RULES = _rules()
VARIABLES = next(d for selectors, d in RULES if selectors == [":root"])


def _declared(selector: str, prop: str) -> str | None:
    """The value the last rule naming exactly this selector gives the property."""
    value = None
    for selectors, declarations in RULES:
        if selector in selectors and prop in declarations:
            value = declarations[prop]
    return value


def _colour(value: str) -> str:
    """The colour in a declaration such as "3px solid var(--accent)" or "#1f3a5f"."""
    for _ in range(5):
        value = re.sub(r"var\((--[\w-]+)\)", lambda m: VARIABLES[m.group(1)], value)
    return re.search(r"#[0-9a-fA-F]{6}\b", value).group(0).lower()


def _outline_colour(*selectors: str) -> str:
    """The focus outline colour of an element matching the first selector that sets one
    (most specific first), as the cascade resolves it for that element."""
    for selector in selectors:
        for prop in ("outline-color", "outline"):
            value = _declared(selector, prop)
            if value:
                return _colour(value)
    raise AssertionError(f"no outline colour for {selectors}")


def _luminance(hex_colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_matches_the_wcag_reference_values():
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54


HEADER = _colour(_declared(".site-header", "background"))
PAGE = _colour(_declared("body", "background"))
CARD = _colour(VARIABLES["--card"])


@pytest.mark.parametrize(
    ("where", "outline", "surface"),
    [
        ("a control on the page", _outline_colour(":focus-visible"), PAGE),
        ("a control in a card", _outline_colour(":focus-visible"), CARD),
        (
            "a link or button in the header bar",
            _outline_colour(".site-header :focus-visible", ":focus-visible"),
            HEADER,
        ),
        (
            "the skip link over the header bar",
            _outline_colour(".skip-link:focus-visible", ":focus-visible"),
            HEADER,
        ),
    ],
)
def test_focus_outline_contrast_is_at_least_3_to_1(where, outline, surface):
    assert contrast(outline, surface) >= 3, (where, outline, surface, contrast(outline, surface))


def test_header_focus_outline_ratio_is_the_documented_one():
    """The stylesheet's comment states the header ratio; keep the two in step."""
    outline = _outline_colour(".site-header :focus-visible", ":focus-visible")
    comment = re.search(r"/\*([^*]*)\*/\s*--focus-on-dark:", CSS).group(1)
    stated = re.search(r"(\d+\.\d+):1", comment).group(1)
    assert f"{contrast(outline, HEADER):.2f}" == stated
