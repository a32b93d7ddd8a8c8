"""Access-matrix rows of the design system's pages: the styleguide is for admins."""

from tests.access import Row, nobody_but, url

ROWS = {
    "styleguide": [Row(url("styleguide"), nobody_but("admin", "200"))],
}
