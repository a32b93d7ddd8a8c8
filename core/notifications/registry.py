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


# A planner: (now, since) -> the rows that are due by `now` and do not exist yet. `since` is
# the previous tick's watermark: rows that fell due before it were planned then, so a planner
# may look only at what fell due after it, or changed after it. None (a first tick, or the
# planners' version changed): everything the catch-up rule still allows.
PlanFunction = Callable[[datetime, datetime | None], Iterable["Notification"]]


@dataclass(frozen=True)
class Planner:
    plan: PlanFunction
    # A short text that changes whenever something the planner cannot date changes what is
    # due (a cohort's own offsets); read on every tick, so it must be cheap.
    version: Callable[[], str] | None = None


KINDS: dict[str, Kind] = {}
PLANNERS: list[Planner] = []


def kind_register(kind: Kind) -> None:
    KINDS[kind.name] = kind


def planner_register(plan: PlanFunction, *, version: Callable[[], str] | None = None) -> None:
    if all(planner.plan is not plan for planner in PLANNERS):
        PLANNERS.append(Planner(plan=plan, version=version))


def unsubscribable_kinds() -> list[Kind]:
    return [kind for kind in KINDS.values() if kind.unsubscribable]
