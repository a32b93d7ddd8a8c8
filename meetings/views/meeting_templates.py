"""The organisation's template library (admins edit, facilitators read) and a cohort's choice
of template for its meetings and series (its facilitators)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.http import posted, service_error_show
from groups.permissions import can_manage_cohort
from groups.selectors import cohort_for
from meetings import templates_lib
from meetings.models import CohortTemplate, MeetingTemplate
from meetings.runner_forms import CohortTemplateForm, SegmentFormSet, TemplateForm
from members.permissions import is_admin, is_facilitator


def _require_reader(user) -> None:
    if not (is_admin(user) or is_facilitator(user)):
        raise PermissionDenied


def _require_editor(user) -> None:
    if not templates_lib.can_edit_templates(user):
        raise PermissionDenied


def template_list(request):
    _require_reader(request.user)
    return render(
        request,
        "meetings/templates/template_list.html",
        {
            "templates": list(templates_lib.template_library()),
            "can_edit": templates_lib.can_edit_templates(request.user),
        },
    )


def template_detail(request, pk: int):
    """Read-only for facilitators choosing one; admins edit from here."""
    _require_reader(request.user)
    template = get_object_or_404(templates_lib.template_with_segments(pk))
    segments = list(template.segments.all())
    return render(
        request,
        "meetings/templates/template_detail.html",
        {
            "template": template,
            "segments": segments,
            "total": sum(s.planned_minutes for s in segments),
            "can_edit": templates_lib.can_edit_templates(request.user),
        },
    )


def _edit(request, template: MeetingTemplate | None):
    initial_segments = (
        [
            {
                "kind": s.kind,
                "title": s.title,
                "planned_minutes": s.planned_minutes,
                "guidance": s.guidance,
                "ORDER": s.position,
            }
            for s in template.segments.order_by("position")
        ]
        if template
        else []
    )
    data = posted(request)
    if data is not None and "add_segment" in data:
        # One more blank row, keeping everything typed so far.
        data = data.copy()
        data["segments-TOTAL_FORMS"] = str(int(data.get("segments-TOTAL_FORMS") or 0) + 1)
    form = TemplateForm(
        data,
        initial={"name": template.name, "description": template.description} if template else None,
    )
    formset = SegmentFormSet(data, initial=initial_segments, prefix="segments")
    adding = data is not None and "add_segment" in data
    if data is not None and not adding and form.is_valid() and formset.is_valid():
        try:
            saved = templates_lib.template_save(
                actor=request.user,
                template=template,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                segments=formset.specs(),
            )
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            messages.success(request, f"Template “{saved.name}” saved.")
            return redirect("template_detail", pk=saved.pk)
    return render(
        request,
        "meetings/templates/template_form.html",
        {"template": template, "form": form, "formset": formset},
    )


def template_create(request):
    _require_editor(request.user)
    return _edit(request, None)


def template_edit(request, pk: int):
    _require_editor(request.user)
    return _edit(request, get_object_or_404(MeetingTemplate, pk=pk))


@require_POST
def template_delete(request, pk: int):
    _require_editor(request.user)
    template = get_object_or_404(MeetingTemplate, pk=pk)
    templates_lib.template_delete(actor=request.user, template=template)
    messages.success(request, f"Template “{template.name}” deleted.")
    return redirect("template_list")


def cohort_template(request, slug: str):
    """The cohort's template and each of its series' own (or "as the cohort")."""
    cohort = cohort_for(request.user, slug)
    if not can_manage_cohort(request.user, cohort):
        raise PermissionDenied
    chosen = CohortTemplate.objects.filter(cohort=cohort).first()
    form = CohortTemplateForm(
        posted(request), initial={"template": chosen.template_id if chosen else None}
    )
    series = list(cohort.series.select_related("template").order_by("first_date", "pk"))
    if request.method == "POST":
        series_pk = request.POST.get("series")
        if series_pk:
            one = next((s for s in series if str(s.pk) == series_pk), None)
            if one is None:
                raise Http404
            template_pk = request.POST.get("series_template") or None
            template = get_object_or_404(MeetingTemplate, pk=template_pk) if template_pk else None
            templates_lib.series_template_set(series=one, actor=request.user, template=template)
            messages.success(
                request,
                f"“{one.title}” now uses "
                + (f"“{template.name}”." if template else "the cohort's template."),
            )
            return redirect("cohort_template", slug=cohort.slug)
        if form.is_valid():
            template = form.cleaned_data["template"]
            templates_lib.cohort_template_choose(
                cohort=cohort, actor=request.user, template=template
            )
            messages.success(
                request,
                f"{cohort.name}'s meetings follow "
                + (f"“{template.name}”." if template else "no template."),
            )
            return redirect("cohort_template", slug=cohort.slug)
    return render(
        request,
        "meetings/templates/cohort_template.html",
        {
            "cohort": cohort,
            "form": form,
            "series": series,
            "library": list(MeetingTemplate.objects.order_by("name")),
        },
    )
