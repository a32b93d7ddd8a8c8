"""The live runner: the page every participant keeps open during the meeting, the small state
fragment their pages poll, the controls, check-in, commitments and the running order's
adjustments before the start.

Every control is a plain form post that redirects back to the page; with htmx the page swaps in
the fresh state fragment instead. static/js/runner.js polls the fragment about once a second,
sending the version it shows: an unchanged meeting costs one query and an empty 204."""

import time

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.http import service_error_messages
from meetings import runner, runner_selectors, selectors, services
from meetings.models import MeetingSegment, SegmentKind
from meetings.permissions import can_drive_runner, can_manage_meeting
from meetings.runner_forms import ControlForm, SegmentAddForm, SegmentMinutesForm, TimekeeperForm

PAGE = "meetings/runner/runner.html"
NOW_HEADER = "X-Runner-Now"


def _ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def _now_ms() -> str:
    return str(int(time.time() * 1000))


def _live_context(request, meeting, **extra) -> dict:
    state = runner_selectors.runner_state(request.user, meeting)
    current = state.current
    context = {
        "meeting": meeting,
        "cohort": meeting.cohort,
        "s": state,
        "now_ms": _ms(state.now),
        "meeting_end_ms": _ms(meeting.ends_at),
        "segment_start_ms": _ms(current.started_at) if current else "",
        "segment_seconds": current.allowed_minutes * 60 if current else "",
        "segment_left": (
            int(current.allowed_minutes * 60 - (state.now - current.started_at).total_seconds())
            if current
            else None
        ),
        "kinds": SegmentKind,
        "poll_token": runner_selectors.poll_token(request.user.pk, meeting.pk),
    }
    left = context["segment_left"]
    if left is not None:
        context["segment_left_text"] = (
            f"{'−' if left < 0 else ''}{abs(left) // 60}:{abs(left) % 60:02d}"
        )
    context.update(extra)
    return context


def _page(request, meeting, **extra):
    context = _live_context(request, meeting, **extra)
    state = context["s"]
    if state.can_manage and not state.is_ended:
        members = selectors.roster(meeting.cohort)
        context["members"] = members
        context["timekeeper_form"] = TimekeeperForm(
            initial={"timekeeper": state.run.timekeeper_id if state.run else None},
            members=members,
        )
    context.setdefault("add_form", SegmentAddForm())
    return render(request, PAGE, context)


def _fragment(request, meeting, **extra):
    response = render(request, f"{PAGE}#runner-live", _live_context(request, meeting, **extra))
    response[NOW_HEADER] = _now_ms()
    return response


def _back(request, meeting, error: ValidationError | PermissionDenied | None = None):
    """After a control: the fresh fragment for htmx (with the refusal in it), else back to the
    page with the refusal as a message."""
    if request.htmx:
        fresh = runner_selectors.runner_meeting(request.user, meeting.pk)
        text = " ".join(service_error_messages(error)) if error else ""
        return _fragment(request, fresh, runner_error=text)
    if error is not None:
        for text in service_error_messages(error):
            messages.error(request, text)
    return redirect("meeting_runner", pk=meeting.pk)


@never_cache
def meeting_runner(request, pk: int):
    meeting = runner_selectors.runner_meeting(request.user, pk)
    extra = {}
    if not meeting.is_cancelled:
        first_view = runner_selectors.run_of(meeting) is None
        try:
            runner.running_order_ensure(meeting=meeting)
        except ValidationError as error:
            extra["order_missing"] = " ".join(error.messages)
        else:
            if first_view:
                # Building the order created the run and moved its version: the controls must
                # carry the new one, or the first click is refused as a concurrent change.
                meeting = runner_selectors.runner_meeting(request.user, pk)
    return _page(request, meeting, **extra)


def _unchanged():
    response = HttpResponse(status=204)
    response[NOW_HEADER] = _now_ms()
    return response


@never_cache
def runner_state(request, pk: int):
    """The state fragment, or 204 when the caller already shows this version. A caller with
    the page's poll token is answered from the cached version without touching the database;
    anyone else, and any change, goes through the scoped read."""
    shown = request.GET.get("v")
    if (
        shown is not None
        and runner_selectors.poll_token_valid(request.GET.get("t", ""), request.user.pk, pk)
        and str(runner_selectors.version_cached(pk)) == shown
    ):
        return _unchanged()
    meeting = runner_selectors.runner_meeting(request.user, pk)
    version = runner_selectors.version_of(meeting)
    runner_selectors.version_remember(pk, version)
    if shown == str(version):
        return _unchanged()
    return _fragment(request, meeting)


@require_POST
def runner_control(request, pk: int):
    meeting = runner_selectors.runner_meeting(request.user, pk)
    run = runner_selectors.run_of(meeting)
    if not can_drive_runner(request.user, meeting, run):
        raise PermissionDenied
    form = ControlForm(request.POST)
    if not form.is_valid():
        return _back(request, meeting, ValidationError("Reload the page and try again."))
    action, version = form.cleaned_data["action"], form.cleaned_data["version"]
    try:
        if action == "start":
            runner.meeting_start(meeting=meeting, actor=request.user, expected_version=version)
        elif action == "advance":
            runner.meeting_advance(meeting=meeting, actor=request.user, expected_version=version)
        elif action == "extend":
            runner.meeting_extend(meeting=meeting, actor=request.user, expected_version=version)
        elif action == "skip":
            runner.segment_skip(
                meeting=meeting,
                actor=request.user,
                segment_id=form.cleaned_data["segment"] or 0,
                expected_version=version,
            )
        else:
            runner.meeting_end(meeting=meeting, actor=request.user, expected_version=version)
    except ValidationError as error:
        return _back(request, meeting, error)
    if action == "start" and not request.htmx:
        messages.success(request, "The meeting has started.")
    return _back(request, meeting)


@require_POST
def runner_checkin(request, pk: int):
    meeting = runner_selectors.runner_meeting(request.user, pk)
    if not meeting.viewer_is_member:
        raise PermissionDenied
    try:
        runner.checkin(meeting=meeting, member=request.user)
    except ValidationError as error:
        return _back(request, meeting, error)
    return _back(request, meeting)


@require_POST
def runner_commitment(request, pk: int):
    """A commitment made during the meeting: a facilitator records anyone's, a member their
    own (the existing commitment service decides)."""
    meeting = runner_selectors.runner_meeting(request.user, pk)
    manage = can_manage_meeting(request.user, meeting)
    if not (manage or meeting.viewer_is_member):
        raise PermissionDenied
    text = request.POST.get("text", "").strip()
    owner = request.user
    if manage and request.POST.get("owner"):
        owner = next(
            (m for m in selectors.roster(meeting.cohort) if str(m.pk) == request.POST["owner"]),
            None,
        )
    problems = []
    if owner is None:
        problems.append("Choose a member of this cohort as the owner.")
    if not text:
        problems.append("Write the commitment (what, by when) before recording it.")
    elif len(text) > 300:
        problems.append("A commitment can be at most 300 characters: shorten it.")
    if problems:
        return _back(request, meeting, ValidationError(problems))
    try:
        services.commitment_create(meeting=meeting, actor=request.user, owner=owner, text=text)
    except ValidationError as error:
        return _back(request, meeting, error)
    runner.run_version_bump(meeting=meeting)
    messages.success(request, "Commitment recorded.")
    return redirect("meeting_runner", pk=meeting.pk)


@require_POST
def runner_timekeeper(request, pk: int):
    meeting = runner_selectors.runner_meeting(request.user, pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    form = TimekeeperForm(request.POST, members=selectors.roster(meeting.cohort))
    if not form.is_valid():
        messages.error(request, "Choose a member of this cohort as timekeeper.")
        return redirect("meeting_runner", pk=pk)
    member = form.cleaned_data["timekeeper"]
    try:
        runner.timekeeper_set(meeting=meeting, actor=request.user, member=member)
    except ValidationError as error:
        return _back(request, meeting, error)
    messages.success(
        request,
        f"{member.display_name} keeps time." if member else "Only facilitators keep time now.",
    )
    return redirect("meeting_runner", pk=pk)


@require_POST
def running_order_edit(request, pk: int):
    """Adjust the running order before the start: rebuild, add, change, move or remove."""
    meeting = runner_selectors.runner_meeting(request.user, pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    action = request.POST.get("action", "")
    segment = None
    if action in {"update", "move", "remove"}:
        segment = get_object_or_404(
            MeetingSegment.objects.filter(meeting=meeting), pk=request.POST.get("segment") or 0
        )
        segment.meeting = meeting
    try:
        if action == "rebuild":
            runner.running_order_rebuild(meeting=meeting, actor=request.user)
            messages.success(request, "Running order rebuilt from the template and the agenda.")
        elif action == "add":
            form = SegmentAddForm(request.POST)
            if not form.is_valid():
                return _page(request, meeting, add_form=form)
            runner.segment_add(meeting=meeting, actor=request.user, **form.cleaned_data)
            messages.success(request, f"“{form.cleaned_data['title']}” added at the end.")
        elif action == "update":
            form = SegmentMinutesForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            runner.segment_update(
                segment=segment,
                actor=request.user,
                planned_minutes=form.cleaned_data["planned_minutes"],
                title=form.cleaned_data["title"],
            )
            messages.success(request, f"“{segment.title}” saved.")
        elif action == "move":
            runner.segment_move(
                segment=segment, actor=request.user, direction=request.POST.get("direction", "")
            )
        elif action == "remove":
            runner.segment_remove(segment=segment, actor=request.user)
            messages.success(request, f"“{segment.title}” removed.")
        else:
            raise Http404
    except ValidationError as error:
        for text in service_error_messages(error):
            messages.error(request, text)
    return redirect("meeting_runner", pk=pk)
