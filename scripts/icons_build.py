"""Builds static/icons/sprite.svg from lucide-static's icons: only the icons PeerNet uses.

    npm pack lucide-static && tar xzf lucide-static-*.tgz
    python scripts/icons_build.py package/icons

The sprite and lucide's LICENSE (ISC) are committed; nothing is fetched at run time. Add a name
to ICONS and run this again to use another icon.
"""

import re
import sys
from pathlib import Path

ICONS = [
    "arrow-down",
    "arrow-up",
    "bell",
    "briefcase",
    "building-2",
    "calendar",
    "calendar-check",
    "calendar-clock",
    "calendar-plus",
    "check",
    "chevron-down",
    "chevron-right",
    "chevron-up",
    "circle-alert",
    "circle-check",
    "circle-x",
    "clipboard-list",
    "clock",
    "external-link",
    "eye",
    "file-text",
    "flag",
    "globe",
    "grip-vertical",
    "house",
    "image",
    "inbox",
    "info",
    "list-checks",
    "list-ordered",
    "log-out",
    "mail",
    "map-pin",
    "menu",
    "message-square",
    "palette",
    "pencil",
    "phone",
    "plus",
    "rss",
    "search",
    "send",
    "settings",
    "shield-check",
    "square-parking",
    "thumbs-up",
    "trash-2",
    "triangle-alert",
    "upload",
    "user",
    "user-plus",
    "users",
    "x",
]

OUT = Path(__file__).resolve().parent.parent / "static" / "icons" / "sprite.svg"


def symbol(name: str, source: Path) -> str:
    text = (source / f"{name}.svg").read_text()
    body = re.search(r"<svg[^>]*>(.*)</svg>", text, re.S).group(1)
    shapes = " ".join(line.strip() for line in body.strip().splitlines())
    return f'<symbol id="{name}" viewBox="0 0 24 24">{shapes}</symbol>'


def main(source: Path) -> None:
    symbols = "\n".join(symbol(name, source) for name in sorted(ICONS))
    OUT.write_text(
        "<!-- Lucide icons (lucide-static), ISC licence: see LICENSE beside this file. -->\n"
        f'<svg xmlns="http://www.w3.org/2000/svg">\n{symbols}\n</svg>\n'
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
