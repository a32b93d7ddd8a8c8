"""Recurrence in local wall-clock time (RFC 5545 RRULE via dateutil). No Django imports.

A series is a local start (date + time), an IANA zone and a rule. Occurrences are expanded
as naive local datetimes, so "first Tuesday 08:00" stays 08:00 on both sides of a
daylight-saving change; converting to UTC happens per occurrence, in its own offset.
"""

from datetime import date, datetime, time

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ALLOWED_FREQ = {DAILY, WEEKLY, MONTHLY, YEARLY}
MAX_OCCURRENCES = 1000


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


def with_end(rule: str, *, until: date | None = None, count: int | None = None) -> str:
    parts = [p for p in normalise(rule).split(";") if not p.startswith(("UNTIL=", "COUNT="))]
    if until:
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    elif count:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


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
