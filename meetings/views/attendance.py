"""After the meeting: who came."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from core.http import posted, service_error_show
from meetings import forms, runner, selectors, services
from meetings.permissions import can_manage_meeting


def meeting_attendance(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    if meeting.is_cancelled or not runner.has_begun(meeting):
        messages.error(
            request,
            "This meeting was cancelled: there is no attendance to record."
            if meeting.is_cancelled
            else "Attendance can be recorded once the meeting has started.",
        )
        return redirect("meeting_detail", pk=pk)
    form = forms.AttendanceForm(
        posted(request),
        members=selectors.roster(meeting.cohort, at=meeting.starts_at),
        recorded={a.member_id: a.status for a in meeting.attendance.all()},
        rsvps={r.member_id: r.answer for r in meeting.rsvps.all()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(
                meeting=meeting, actor=request.user, statuses=form.statuses()
            )
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            messages.success(request, "Attendance saved.")
            return redirect("meeting_detail", pk=pk)
    return render(request, "meetings/attendance_form.html", {"meeting": meeting, "form": form})
