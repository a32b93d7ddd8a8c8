"""`{% notification_rows rows show_scope %}`: the body rows of templates/components/
notification_table.html, built in Python. A log page shows 100 rows of seven cells, two of them
dates; through the template engine (and the `date` filter's general formatter) they were most
of the page's time. tests/core/test_notification_rows.py checks the HTML is the template's."""

from html import escape

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import mark_safe

register = template.Library()


def _when(value) -> str:
    """As ``value|date:"j M Y H:i"`` in the current time zone."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {MONTHS_3[local.month].title()} {local.year} {local:%H:%M}"


def _row(row, show_scope: bool) -> str:
    state = row.get_state_display()
    if row.attempts > 1:
        state = f"{state} ({row.attempts} attempts)"
    cells = [row.scope] if show_scope else []
    cells += [
        row.kind_label,
        row.recipient,
        _when(row.due_at),
        state,
        _when(row.sent_at) or "—",
        row.skip_reason or row.last_error or "—",
    ]
    # html.escape is what django.utils.html.escape does, without a SafeString per cell.
    return "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in cells) + "</tr>"


@register.simple_tag
def notification_rows(rows, show_scope=False) -> str:
    body = "".join(_row(row, show_scope) for row in rows)
    if not body:
        body = f'<tr><td colspan="{7 if show_scope else 6}">Nothing yet.</td></tr>'
    return mark_safe(body)
