from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.http import posted, service_error_show
from groups import formation_services, forms, selectors
from groups.models import FormationRun
from groups.permissions import can_create_cohort


def _admin_only(request):
    if not can_create_cohort(request.user):
        raise Http404


def formation_start(request):
    _admin_only(request)
    if request.method == "POST":
        form = forms.FormationForm(posted(request))
    else:
        form = forms.FormationForm(initial=_start_initial(request))
    if request.method == "POST" and form.is_valid():
        ids = list(selectors.pool(**form.pool_filters()).values_list("pk", flat=True))
        try:
            run = formation_services.run_start(
                actor=request.user, member_ids=ids, params=form.params()
            )
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            return redirect("formation_detail", pk=run.pk)
    runs = FormationRun.objects.select_related("created_by")[:10]
    return render(
        request,
        "groups/formation_start.html",
        {"form": form, "runs": runs, "pool_size": selectors.pool_count()},
    )


def _start_initial(request) -> dict:
    """A failed run's parameters when the admin tries again (?from=<run>), else the defaults
    adjusted to the whole pool."""
    source = request.GET.get("from", "")
    run = FormationRun.objects.filter(pk=source).first() if source.isdigit() else None
    if run is not None:
        return forms.FormationForm.initial_from(run.params)
    params = formation_services.whole_pool_defaults(defaults=forms.FormationForm.default_params())
    return forms.FormationForm.initial_from(params)


def _run(request, pk) -> FormationRun:
    _admin_only(request)
    return get_object_or_404(FormationRun, pk=pk)


def formation_detail(request, pk: int):
    run = _run(request, pk)
    working = run.status in {FormationRun.Status.QUEUED, FormationRun.Status.RUNNING}
    if request.htmx and request.GET.get("poll"):
        if not working:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(
            request, "groups/formation_detail.html#formation-progress", _progress_context(run)
        )
    context = _progress_context(run)
    if run.status == FormationRun.Status.DONE:
        context.update(_board(run, page=request.GET.get("page"), move=request.GET.get("move")))
        if request.htmx:
            return render(request, "groups/formation_detail.html#proposal", context)
    return render(request, "groups/formation_detail.html", context)


def _board(run: FormationRun, *, page, move=None, refusal: str | None = None) -> dict:
    """The board's context: a page of cohort cards and the one move form, with the member
    ``move`` (an index) chosen in it when given."""
    context = formation_services.proposal(run, page=page)
    on_page = [m for c in context["cohorts"] for m in c["members"]]
    chosen = int(move) if str(move or "").isdigit() else None
    context.update(
        move_members=sorted(on_page, key=lambda m: m["user"].display_name),
        move_chosen=chosen,
        refusal=refusal,
    )
    return context


def _progress_context(run: FormationRun) -> dict:
    """The progress region: the share of the search time used, and one line that says what the
    run is doing, for how long it has worked, and its best score while it searches."""
    seconds = run.params.get("seconds") or 1
    working = run.status in {FormationRun.Status.QUEUED, FormationRun.Status.RUNNING}
    elapsed = run.elapsed or 0
    if run.status == FormationRun.Status.QUEUED:
        parts = ["Waiting for a worker"]
        elapsed = (timezone.now() - run.created_at).total_seconds()
    elif run.phase == FormationRun.Phase.SEARCHING:
        parts = [f"Searching: {run.searched:.1f} of {seconds:g} s"]
    else:
        parts = [run.get_phase_display() or run.get_status_display()]
    parts.append(f"{elapsed:.1f} s elapsed")
    if run.phase == FormationRun.Phase.SEARCHING and run.best_score is not None:
        parts.append(f"best score so far {run.best_score:.2f}")
    return {
        "run": run,
        "working": working,
        "percent": max(0, min(100, round(100 * (run.searched or 0) / seconds))),
        "progress_line": " · ".join(parts),
    }


@require_POST
def formation_move(request, pk: int):
    run = _run(request, pk)
    if run.status != FormationRun.Status.DONE:
        messages.error(request, "This proposal can no longer change.")
        return redirect("formation_detail", pk=pk)
    form = forms.MoveForm(request.POST)
    refusal = "Choose a member and a cohort."
    if form.is_valid():
        n, groups = len(run.member_ids), max(run.assignment or [0]) + 1
        member, to = form.cleaned_data["member"], form.cleaned_data["to_cohort"]
        refusal = (
            "Choose a member and a cohort of this proposal."
            if member >= n or to >= groups
            else formation_services.run_move(
                run=run, actor=request.user, member_index=member, to_cohort=to
            )
        )
    run.refresh_from_db()
    page = request.POST.get("page") or None
    if request.htmx:
        context = {
            "run": run,
            "working": False,
            "percent": 100,
            **_board(run, page=page, refusal=refusal),
        }
        return render(request, "groups/formation_detail.html#proposal", context)
    if refusal:
        messages.error(request, refusal)
    url = reverse("formation_detail", args=[pk])
    return redirect(f"{url}?page={page}" if page and page.isdigit() else url)


@require_POST
def formation_apply(request, pk: int):
    run = _run(request, pk)
    try:
        cohorts = formation_services.run_apply(run=run, actor=request.user)
    except ValidationError as error:
        service_error_show(request, error)
        return redirect("formation_detail", pk=pk)
    messages.success(request, f"{len(cohorts)} cohorts created. Appoint their facilitators next.")
    return redirect("cohort_list")
