"""The notification table's rows, built in Python, are exactly what its template rendered."""

import re
from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from core.models import Notification

# The rows as templates/components/notification_table.html rendered them before.
REFERENCE = Template(
    """{% for row in rows %}<tr>
    {% if show_scope %}<td>{{ row.scope }}</td>{% endif %}
    <td>{{ row.kind_label }}</td>
    <td>{{ row.recipient }}</td>
    <td>{{ row.due_at|date:"j M Y H:i" }}</td>
    <td>{{ row.get_state_display }}
        {% if row.attempts > 1 %}({{ row.attempts }} attempts){% endif %}</td>
    <td>{{ row.sent_at|date:"j M Y H:i"|default:"—" }}</td>
    <td>{{ row.skip_reason|default:row.last_error|default:"—" }}</td>
    </tr>{% empty %}<tr>
    <td colspan="{% if show_scope %}7{% else %}6{% endif %}">Nothing yet.</td>
    </tr>{% endfor %}"""
)
LEAN = Template("{% load notification_rows %}{% notification_rows rows show_scope %}")


def _squash(html: str) -> str:
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


def _rows() -> list[Notification]:
    S = Notification.State
    due = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night the clocks go forward in London
    return [
        Notification(
            kind="meeting_reminder",
            scope="meeting:1",
            recipient="a@example.com",
            state=S.SENT,
            due_at=due,
            sent_at=datetime(2026, 3, 29, 1, 5, tzinfo=UTC),
            attempts=1,
        ),
        Notification(
            kind="unknown_kind",
            scope="meeting:2",
            recipient="b&c@example.com",
            state=S.FAILED,
            due_at=datetime(2026, 12, 1, 23, 59, tzinfo=UTC),
            attempts=3,
            last_error="550 <refused> & gone",
        ),
        Notification(
            kind="application_decision",
            scope="application:7",
            recipient="d@example.com",
            state=S.SKIPPED,
            due_at=datetime(2026, 1, 9, 8, 0, tzinfo=UTC),
            skip_reason="Unsubscribed",
            last_error="ignored when there is a reason",
        ),
        Notification(
            kind="meeting_reminder",
            scope="meeting:3",
            recipient="e@example.com",
            state=S.PENDING,
            due_at=datetime(2026, 7, 4, 12, 0, tzinfo=UTC),
        ),
    ]


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/New_York", "Asia/Kolkata"])
@pytest.mark.parametrize("show_scope", [True, False])
def test_notification_rows_are_the_templates(zone, show_scope):
    with timezone.override(zone):
        for rows in (_rows(), []):
            context = {"rows": rows, "show_scope": show_scope}
            reference = REFERENCE.render(Context(context))
            assert _squash(LEAN.render(Context(context))) == _squash(reference)
