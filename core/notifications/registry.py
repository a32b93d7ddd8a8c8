"""What the apps send: each registers its kinds (templates, how to prepare a batch) and its
planners (what falls due over time) from its AppConfig.ready()."""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.models import Notification


@dataclass(frozen=True)
class Prepared:
    """What a kind gives the renderer for one row: template context and attachments.

    `when` is the moment the email is about; templates show it in the recipient's time zone
    as {{ when }} ("Tuesday 10 March 2026 at 18:00") next to {{ time_zone }}. Rows of one kind
    with the same `share` key have the same context apart from the recipient (name,
    unsubscribe link, time zone, `when`): their templates are rendered once per batch and the
    recipient's parts filled in. Without a key every row is rendered on its own."""

    context: dict
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    share: Hashable | None = None
    when: datetime | None = None


# Either what to render, or why not to send (the skip reason shown to facilitators).
Preparation = Prepared | str


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    # templates/email/<template>_subject.txt, _body.txt and _body.html
    template: str
    # Rows of this kind (one batch) -> {row id: Prepared or skip reason}. One call per batch,
    # so a kind can load what it needs in a fixed number of queries.
    prepare: Callable[[list["Notification"], datetime], dict[int, Preparation]]
    # Members may stop it (preferences, one-click unsubscribe). Transactional mail may not.
    unsubscribable: bool = True
    description: str = ""


KINDS: dict[str, Kind] = {}
# Each planner returns the rows that are due by `now` and do not exist yet.
PLANNERS: list[Callable[[datetime], Iterable["Notification"]]] = []


def kind_register(kind: Kind) -> None:
    KINDS[kind.name] = kind


def planner_register(planner: Callable[[datetime], Iterable["Notification"]]) -> None:
    if planner not in PLANNERS:
        PLANNERS.append(planner)


def unsubscribable_kinds() -> list[Kind]:
    return [kind for kind in KINDS.values() if kind.unsubscribable]
