"""Changing a series from one of its meetings on: the form, a preview of what moves, and the
confirmation that carries it out."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from core.http import posted, redirect_done, service_error_show
from meetings import forum_forms, forum_selectors, recurrence, series_change
from meetings.permissions import can_manage_meeting

TEMPLATE = "meetings/series_change.html"


def _initial(meeting) -> dict:
    series = meeting.series
    rule = recurrence.normalise(series.rrule)
    presets = {
        recurrence.preset(kind, meeting.local_date): kind
        for kind in ("monthly_nth_weekday", "monthly_date", "weekly", "biweekly")
    }
    bare = ";".join(p for p in rule.split(";") if not p.startswith(recurrence.END_PARTS))
    kind = presets.get(bare, "custom")
    return {
        "first_date": meeting.local_date,
        "start_time": meeting.local_time,
        "duration_minutes": meeting.duration_minutes,
        "repeats": kind,
        "rrule": bare if kind == "custom" else "",
        "template": series.template_id,
    }


def series_change_view(request, pk: int):
    meeting = forum_selectors.meeting_scoped(request.user, pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    if meeting.series_id is None:
        messages.error(request, "This meeting is not part of a series.")
        return redirect("meeting_detail", pk=pk)
    form = forum_forms.SeriesChangeForm(posted(request), initial=_initial(meeting))
    plan = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        wanted = {
            "rule": d["rule"],
            "first_date": d["first_date"],
            "start_time": d["start_time"],
            "duration_minutes": d["duration_minutes"],
            "template": d["template"],
            "change_template": d["template"] != meeting.series.template,
        }
        try:
            if "confirm" in request.POST:
                plan = series_change.series_change_apply(
                    meeting=meeting, actor=request.user, **wanted
                )
                moved, cancelled = plan.of(series_change.MOVE), plan.of(series_change.CANCEL)
                added = plan.of(series_change.ADD)
                messages.success(
                    request,
                    f"Series changed to {plan.described.lower()}: {len(moved)} moved, "
                    f"{len(cancelled)} cancelled, {len(added)} added; calendars will update.",
                )
                return redirect_done(
                    request, reverse("cohort_meetings", args=[meeting.cohort.slug])
                )
            plan = series_change.series_change_plan(meeting=meeting, actor=request.user, **wanted)
        except ValidationError as error:
            service_error_show(request, error, form=form)
            plan = None
        except recurrence.RecurrenceError as error:
            form.add_error("repeats", str(error))
    return render(
        request,
        f"{TEMPLATE}#series-change-form" if request.htmx else TEMPLATE,
        {"meeting": meeting, "cohort": meeting.cohort, "form": form, "plan": plan},
    )
