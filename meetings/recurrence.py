"""Recurrence in local wall-clock time (RFC 5545 RRULE via dateutil). No Django imports.

A series is a local start (date + time), an IANA zone and a rule. Occurrences are expanded
as naive local datetimes, so "first Tuesday 08:00" stays 08:00 on both sides of a
daylight-saving change; converting to UTC happens per occurrence, in its own offset.
"""

import re
from datetime import date, datetime, time

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ALLOWED_FREQ = {DAILY, WEEKLY, MONTHLY, YEARLY}
MAX_OCCURRENCES = 1000
END_PARTS = ("UNTIL=", "COUNT=")


class RecurrenceError(ValueError):
    pass


def normalise(rule: str) -> str:
    rule = rule.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    return ";".join(part.strip().upper() for part in rule.split(";") if part.strip())


def validate(rule: str, first: date, start: time) -> str:
    """The rule, normalised; RecurrenceError says what is wrong in plain words."""
    text = normalise(rule)
    if not text:
        raise RecurrenceError("Enter a recurrence rule, e.g. FREQ=MONTHLY;BYDAY=1TU.")
    if "DTSTART" in text:
        raise RecurrenceError("Leave DTSTART out: the first date and start time set it.")
    if "FREQ=" not in text:
        raise RecurrenceError("The rule needs a FREQ, e.g. FREQ=MONTHLY.")
    ends = [p for p in text.split(";") if p.startswith(END_PARTS)]
    if len(ends) > 1:
        raise RecurrenceError(
            f"The rule ends twice ({', '.join(ends)}): keep one UNTIL or one COUNT."
        )
    until = ends[0][len("UNTIL=") :] if ends and ends[0].startswith("UNTIL=") else None
    if until is not None and not re.fullmatch(r"\d{8}T\d{6}", until):
        raise RecurrenceError(
            f"Write UNTIL as a local date and time without a zone, e.g. "
            f"UNTIL={until[:8]}T235959 for meetings up to and including {until[:8]}."
        )
    try:
        parsed = rrulestr(text, dtstart=datetime.combine(first, start))
    except (ValueError, TypeError) as error:
        raise RecurrenceError(f"This is not a valid recurrence rule: {error}.") from error
    if parsed._freq not in ALLOWED_FREQ:
        raise RecurrenceError(
            "Meetings repeat daily at most: use DAILY, WEEKLY, MONTHLY or YEARLY."
        )
    if parsed.after(datetime.combine(first, start), inc=True) is None:
        raise RecurrenceError("This rule gives no meeting on or after the first date.")
    return text


def preset(kind: str, first: date) -> str:
    """The rules behind the form's presets, anchored on the first date."""
    day = WEEKDAYS[first.weekday()]
    if kind == "monthly_nth_weekday":
        nth = (first.day - 1) // 7 + 1
        # The fifth weekday of a month does not always exist: use "last" then.
        return f"FREQ=MONTHLY;BYDAY={'-1' if nth == 5 else nth}{day}"
    if kind == "monthly_date":
        return f"FREQ=MONTHLY;BYMONTHDAY={first.day}"
    if kind == "weekly":
        return f"FREQ=WEEKLY;BYDAY={day}"
    if kind == "biweekly":
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"
    raise RecurrenceError(f"Unknown preset {kind!r}.")


def own_end(rule: str) -> str | None:
    """The rule's own UNTIL=… or COUNT=… part, if it has one."""
    return next((p for p in normalise(rule).split(";") if p.startswith(END_PARTS)), None)


def with_end(rule: str, *, until: date | None = None, count: int | None = None) -> str:
    """The rule, ended by an end date or a number of meetings when one is given. A rule that
    ends on its own keeps its end; a second end is refused, never swapped in silently."""
    if until and count:
        raise RecurrenceError(
            "Give either an end date or a number of meetings, not both: clear one of them."
        )
    if not (until or count):
        return normalise(rule)
    existing = own_end(rule)
    if existing:
        raise RecurrenceError(
            f"The rule already ends ({existing}). Remove {existing} from the rule, or leave "
            "the end date and the number of meetings empty."
        )
    end = f"UNTIL={until:%Y%m%d}T235959" if until else f"COUNT={count}"
    return f"{normalise(rule)};{end}"


def expand(rule: str, first: date, start: time, *, until: date) -> list[datetime]:
    """Local occurrences from `first` up to and including `until`."""
    dtstart = datetime.combine(first, start)
    parsed = rrulestr(normalise(rule), dtstart=dtstart)
    out: list[datetime] = []
    for occurrence in parsed:
        if occurrence.date() > until or len(out) >= MAX_OCCURRENCES:
            break
        out.append(occurrence)
    return out


def describe(rule: str) -> str:
    """A short human reading of the common rules; the raw rule otherwise."""
    text = normalise(rule)
    parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    names = dict(
        zip(
            WEEKDAYS,
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
            strict=True,
        )
    )
    ordinals = {"1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last"}
    freq, interval = parts.get("FREQ"), parts.get("INTERVAL", "1")
    byday = parts.get("BYDAY", "")
    if freq == "MONTHLY" and byday and byday[:-2] in ordinals and byday[-2:] in names:
        return f"Monthly on the {ordinals[byday[:-2]]} {names[byday[-2:]]}"
    if freq == "MONTHLY" and "BYMONTHDAY" in parts:
        return f"Monthly on day {parts['BYMONTHDAY']}"
    if freq == "WEEKLY" and byday in names:
        every = "Every two weeks" if interval == "2" else "Weekly"
        return f"{every} on {names[byday]}"
    return text
