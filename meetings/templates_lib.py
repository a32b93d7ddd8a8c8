"""The organisation's library of meeting templates and the choices that use it: writes and the
reads they need. Admins edit the library; a cohort's facilitators choose its template and their
series' templates."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, QuerySet, Sum

from groups.permissions import can_manage_cohort
from meetings.models import (
    SEGMENT_MINUTES_MAX,
    CohortTemplate,
    MeetingTemplate,
    SegmentKind,
    Series,
    TemplateSegment,
)
from members.permissions import is_admin


def can_edit_templates(user) -> bool:
    return is_admin(user)


@dataclass(frozen=True)
class SegmentSpec:
    kind: str
    title: str
    planned_minutes: int
    guidance: str = ""


def segments_validate(segments: list[SegmentSpec]) -> None:
    """A template needs at least one segment, each of a known kind with a title and between 1
    and SEGMENT_MINUTES_MAX minutes. Every problem is reported at once, by segment number."""
    if not segments:
        raise ValidationError("A template needs at least one segment: add one before saving.")
    problems = []
    for number, spec in enumerate(segments, start=1):
        if spec.kind not in SegmentKind.values:
            problems.append(f"Segment {number}: choose a kind from the list.")
        if not spec.title.strip():
            problems.append(f"Segment {number}: give it a title.")
        if not isinstance(spec.planned_minutes, int) or not (
            1 <= spec.planned_minutes <= SEGMENT_MINUTES_MAX
        ):
            problems.append(
                f"Segment {number}: planned minutes must be from 1 to {SEGMENT_MINUTES_MAX}."
            )
    if problems:
        raise ValidationError(problems)


def template_save(
    *,
    actor,
    name: str,
    description: str = "",
    segments: list[SegmentSpec],
    template: MeetingTemplate | None = None,
) -> MeetingTemplate:
    """Create a template or replace an existing one's name, description and whole running
    order (in the given order). Meetings whose running order was already built keep theirs."""
    if not can_edit_templates(actor):
        raise PermissionDenied("Only the membership team edits the template library.")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the template a name."})
    segments_validate(segments)
    try:
        with transaction.atomic():
            if template is None:
                template = MeetingTemplate.objects.create(
                    name=name, description=description, created_by=actor
                )
            else:
                template = MeetingTemplate.objects.select_for_update().get(pk=template.pk)
                template.name, template.description = name, description
                template.save()
                template.segments.all().delete()
            TemplateSegment.objects.bulk_create(
                TemplateSegment(
                    template=template,
                    position=position,
                    kind=spec.kind,
                    title=spec.title.strip(),
                    planned_minutes=spec.planned_minutes,
                    guidance=spec.guidance,
                )
                for position, spec in enumerate(segments, start=1)
            )
    except IntegrityError as error:
        raise ValidationError({"name": "Another template already has this name."}) from error
    return template


def template_delete(*, actor, template: MeetingTemplate) -> None:
    """Series using it fall back to their cohort's choice; cohorts that chose it, to none."""
    if not can_edit_templates(actor):
        raise PermissionDenied("Only the membership team edits the template library.")
    template.delete()


def cohort_template_choose(*, cohort, actor, template: MeetingTemplate | None) -> None:
    if not can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only this cohort's facilitators and admins choose its template.")
    if template is None:
        CohortTemplate.objects.filter(cohort=cohort).delete()
        return
    CohortTemplate.objects.update_or_create(
        cohort=cohort, defaults={"template": template, "chosen_by": actor}
    )


def series_template_set(*, series: Series, actor, template: MeetingTemplate | None) -> None:
    """The series' own template; None: its meetings follow the cohort's choice. Meetings whose
    running order exists keep it (the facilitator rebuilds one from the runner page)."""
    if not can_manage_cohort(actor, series.cohort):
        raise PermissionDenied("Only this cohort's facilitators and admins choose its template.")
    Series.objects.filter(pk=series.pk).update(template=template)
    series.template = template


# Reads ----------------------------------------------------------------------------------


def template_library() -> QuerySet[MeetingTemplate]:
    """Every template with its segment count and total minutes (one query)."""
    return MeetingTemplate.objects.annotate(
        segment_count=Count("segments"), total_minutes=Sum("segments__planned_minutes")
    ).order_by("name")


def template_with_segments(pk: int) -> QuerySet[MeetingTemplate]:
    return MeetingTemplate.objects.filter(pk=pk).prefetch_related(
        Prefetch("segments", queryset=TemplateSegment.objects.order_by("position"))
    )


def template_for_meeting(meeting) -> MeetingTemplate | None:
    """The series' own template, else the cohort's choice, else none."""
    if meeting.series_id is not None:
        template_id = (
            Series.objects.filter(pk=meeting.series_id)
            .values_list("template_id", flat=True)
            .first()
        )
        if template_id is not None:
            return MeetingTemplate.objects.get(pk=template_id)
    choice = CohortTemplate.objects.filter(cohort_id=meeting.cohort_id).select_related("template")
    chosen = choice.first()
    return chosen.template if chosen else None
