"""Meeting-time compatibility: local weekly hours become UTC start slots of one week.

Each member's acceptable local hours (:class:`~.features.Hours`, in their IANA zone or fixed
UTC offset) are converted to UTC intervals of minutes since Monday 00:00 UTC of a **reference
week** that the caller chooses: daylight-saving time is applied as it is in that week (e.g.
pass a week in the coming season; a zone's offset may differ in another part of the year, so a
cohort formed on a January week may lose its common window in July). The week is cyclic: hours
that cross Sunday midnight UTC continue on Monday.

A cohort can meet when one window of the meeting's length lies inside every member's hours. The
week is cut into ``SLOT_MINUTES`` slots (every UTC offset in use is a multiple of 15 minutes);
for each member, bit t says "a meeting starting at slot t ends inside the member's hours". A
cohort is feasible exactly when the AND of its members' bits is non-zero. Hours that do not start
on a slot boundary are rounded inwards (a member is never offered a time outside their hours).
"""

from __future__ import annotations

import math
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
from numpy.typing import NDArray

from .features import Hours, Member

SLOT_MINUTES = 15
WEEK_MINUTES = 7 * 24 * 60
WEEK_SLOTS = WEEK_MINUTES // SLOT_MINUTES
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def reference_monday(week_of: date) -> date:
    """The Monday of the week holding ``week_of``."""
    return week_of - timedelta(days=week_of.weekday())


def utc_intervals(
    hours: Hours, *, zone: str | None, offset_hours: float, week_of: date
) -> list[tuple[int, int]]:
    """``hours`` as UTC minute-of-week intervals [start, end) of the reference week, merged,
    sorted, each within [0, WEEK_MINUTES) (an interval crossing the week's end is split)."""
    monday = reference_monday(week_of)
    tz = zoneinfo.ZoneInfo(zone) if zone else timezone(timedelta(hours=offset_hours))
    anchor = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    raw: list[tuple[int, int]] = []
    for day, start, end in hours.local_windows():
        if not 0 <= int(day) <= 6:
            raise ValueError(f"weekday {day} is not 0 (Monday) to 6 (Sunday)")
        if not 0 <= start < end <= 24:
            raise ValueError(f"hours {start}-{end} are not a window within one day")
        local_day = monday + timedelta(days=int(day))
        midnight = datetime(local_day.year, local_day.month, local_day.day, tzinfo=tz)
        # Wall-clock arithmetic, then each end converted with the offset in force at that
        # moment: a window on a daylight-saving day is an hour shorter or longer in UTC.
        s = _minutes_since(anchor, midnight + timedelta(minutes=round(start * 60)))
        e = _minutes_since(anchor, midnight + timedelta(minutes=round(end * 60)))
        length = min(e - s, WEEK_MINUTES)
        if length <= 0:
            continue
        s %= WEEK_MINUTES
        if s + length <= WEEK_MINUTES:
            raw.append((s, s + length))
        else:
            raw.append((s, WEEK_MINUTES))
            raw.append((0, s + length - WEEK_MINUTES))
    raw.sort()
    merged: list[tuple[int, int]] = []
    for s, e in raw:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def _minutes_since(anchor: datetime, moment: datetime) -> int:
    return round((moment - anchor).total_seconds() / 60)


def start_slots(intervals: Sequence[tuple[int, int]], meeting_minutes: int) -> NDArray[np.bool_]:
    """(WEEK_SLOTS,) bools: slot t is set when a meeting of ``meeting_minutes`` starting at
    t * SLOT_MINUTES (cyclically) lies inside the union of ``intervals``."""
    free = np.zeros(WEEK_SLOTS, dtype=np.bool_)
    for s, e in intervals:
        first = math.ceil(s / SLOT_MINUTES)
        last = e // SLOT_MINUTES  # exclusive
        if last > first:
            free[first:last] = True
    need = max(1, math.ceil(meeting_minutes / SLOT_MINUTES))
    if need > WEEK_SLOTS:
        return np.zeros(WEEK_SLOTS, dtype=np.bool_)
    # A start is good when the `need` slots from it are all free: a cyclic run-length test.
    doubled = np.concatenate([free, free])
    run = np.convolve(doubled.astype(np.int32), np.ones(need, dtype=np.int32), mode="valid")
    return run[:WEEK_SLOTS] == need


def member_start_slots(
    members: Sequence[Member], *, meeting_minutes: int, week_of: date
) -> NDArray[np.bool_]:
    """(n, WEEK_SLOTS) start slots of every member (see :func:`start_slots`); members with the
    same hours and zone are converted once."""
    out = np.zeros((len(members), WEEK_SLOTS), dtype=np.bool_)
    cache: dict[tuple, NDArray[np.bool_]] = {}
    for i, m in enumerate(members):
        key = (m.hours, m.zone, None if m.zone else m.tz_offset)
        row = cache.get(key)
        if row is None:
            row = start_slots(
                utc_intervals(m.hours, zone=m.zone, offset_hours=m.tz_offset, week_of=week_of),
                meeting_minutes,
            )
            cache[key] = row
        out[i] = row
    return out


def fmt_length(minutes: int) -> str:
    """ "4-hour" or "90-minute": how a meeting's length reads in an explanation."""
    if minutes % 60 == 0:
        return f"{minutes // 60}-hour"
    return f"{minutes}-minute"


def fmt_slot(slot: int) -> str:
    """ "Tue 21:00 UTC": the start of a slot."""
    minute = int(slot) * SLOT_MINUTES
    day, rest = divmod(minute, 24 * 60)
    return f"{DAY_NAMES[day]} {rest // 60:02d}:{rest % 60:02d} UTC"


def windows_of(starts: NDArray[np.bool_], meeting_minutes: int) -> list[tuple[int, int]]:
    """The UTC minute-of-week intervals [first start, last end) in which meetings fit, given
    their start slots: one per run of consecutive starts (a run is cut at the week's end, and
    the last one may end past WEEK_MINUTES, that is on the next Monday)."""
    out: list[tuple[int, int]] = []
    t = 0
    while t < WEEK_SLOTS:
        if not starts[t]:
            t += 1
            continue
        u = t
        while u < WEEK_SLOTS and starts[u]:
            u += 1
        out.append((t * SLOT_MINUTES, (u - 1) * SLOT_MINUTES + meeting_minutes))
        t = u
    return out


def offset_hours(member: Member, week_of: date) -> float:
    """The member's UTC offset in hours at noon on the reference Monday (their zone's, else
    their fixed ``tz_offset``)."""
    if not member.zone:
        return member.tz_offset
    monday = reference_monday(week_of)
    noon = datetime(
        monday.year, monday.month, monday.day, 12, tzinfo=zoneinfo.ZoneInfo(member.zone)
    )
    offset = noon.utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0
