"""The membership team's pages: the review queue, one application's review, the eligibility
policy."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.http import posted, service_error_show
from core.pagination import page_of
from members import eligibility, forms, selectors, services
from members.models import Application, EligibilityPolicy
from members.permissions import can_review_applications

S = Application.Status
QUEUE_PER_PAGE = 25


def _reviewer_only(request):
    if not can_review_applications(request.user):
        raise Http404


def review_queue(request):
    _reviewer_only(request)
    form = forms.QueueFilterForm(request.GET)
    queue = selectors.review_queue(request.user, **form.filters())
    context = {
        "form": form,
        "page": page_of(request, queue, QUEUE_PER_PAGE),
        "counts": selectors.queue_counts(request.user),
    }
    template = "members/review_queue.html"
    if request.htmx:
        template += "#queue-results"
    return render(request, template, context)


def _review_context(request, application, **forms_):
    scores = list(application.scores.all())
    average = round(sum(s.total for s in scores) / len(scores), 2) if scores else None
    mine = next((s for s in scores if s.reviewer_id == request.user.pk), None)
    return {
        "application": application,
        "profile": application.applicant.profile,
        "scores": scores,
        "average": average,
        "score_form": forms_.get("score_form") or forms.ScoreForm(instance=mine),
        "note_form": forms_.get("note_form") or forms.NoteForm(),
        "decision_form": forms_.get("decision_form")
        or forms.DecisionForm(outstanding=selectors.references_outstanding(application)),
        "waiver_form": forms_.get("waiver_form") or forms.WaiverForm(),
        "can_decide": bool(services.TRANSITIONS[application.status] - {S.SUBMITTED}),
    }


def review_detail(request, pk: int):
    _reviewer_only(request)
    application = selectors.application_for_review(request.user, pk)
    return render(request, "members/review_detail.html", _review_context(request, application))


def _after_review_post(request, application, partial: str, **forms_):
    if request.htmx:
        fresh = selectors.application_for_review(request.user, application.pk)
        return render(
            request,
            f"members/review_detail.html#{partial}",
            _review_context(request, fresh, **forms_),
        )
    if forms_:
        fresh = selectors.application_for_review(request.user, application.pk)
        return render(
            request, "members/review_detail.html", _review_context(request, fresh, **forms_)
        )
    return redirect("review_detail", pk=application.pk)


@require_POST
def review_score(request, pk: int):
    _reviewer_only(request)
    application = selectors.application_for_review(request.user, pk)
    mine = application.scores.filter(reviewer=request.user).first()
    form = forms.ScoreForm(request.POST, instance=mine)
    if not form.is_valid():
        return _after_review_post(request, application, "scores", score_form=form)
    try:
        services.application_score(
            application=application, reviewer=request.user, **form.cleaned_data
        )
    except ValidationError as error:
        service_error_show(request, error, form=form)
        return _after_review_post(request, application, "scores", score_form=form)
    messages.success(request, "Your score is saved.")
    return _after_review_post(request, application, "scores")


@require_POST
def review_note(request, pk: int):
    _reviewer_only(request)
    application = selectors.application_for_review(request.user, pk)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        return _after_review_post(request, application, "notes", note_form=form)
    services.application_note_add(
        application=application, author=request.user, text=form.cleaned_data["text"]
    )
    return _after_review_post(request, application, "notes")


@require_POST
def review_decide(request, pk: int):
    _reviewer_only(request)
    application = selectors.application_for_review(request.user, pk)
    form = forms.DecisionForm(
        request.POST, outstanding=selectors.references_outstanding(application)
    )
    if form.is_valid():
        try:
            services.application_decide(
                application=application, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            label = S(application.status).label.lower()
            messages.success(
                request, f"Decision recorded: {label}. The applicant has been emailed."
            )
            return redirect("review_detail", pk=pk)
    return render(
        request,
        "members/review_detail.html",
        _review_context(request, application, decision_form=form),
    )


@require_POST
def review_waive(request, pk: int):
    _reviewer_only(request)
    application = selectors.application_for_review(request.user, pk)
    form = forms.WaiverForm(request.POST)
    if form.is_valid():
        services.application_waive(
            application=application, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, "Eligibility waived; the reason is in the audit log.")
        return redirect("review_detail", pk=pk)
    return render(
        request,
        "members/review_detail.html",
        _review_context(request, application, waiver_form=form),
    )


@require_POST
def review_reference_resend(request, pk: int, reference_pk: int):
    _reviewer_only(request)
    application = selectors.application_for_review(request.user, pk)
    reference = get_object_or_404(application.references.all(), pk=reference_pk)
    try:
        services.reference_resend(reference=reference, actor=request.user)
    except ValidationError as error:
        service_error_show(request, error)
    else:
        messages.success(
            request, f"A new link was sent to {reference.name}; the old one no longer works."
        )
    return redirect("review_detail", pk=pk)


def review_policy(request):
    _reviewer_only(request)
    policy = EligibilityPolicy.objects.first()
    initial = {"rules": json.dumps(policy.rules if policy else {"groups": []}, indent=2)}
    form = forms.PolicyForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        services.policy_update(
            rules=form.cleaned_data["rules"], actor=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, "Eligibility policy saved; open applications were re-evaluated.")
        return redirect("review_policy")
    context = {
        "form": form,
        "policy": policy,
        "summary": eligibility.describe_rules(policy.rules) if policy else [],
        "history": EligibilityPolicy.objects.select_related("created_by")[:10],
    }
    return render(request, "members/review_policy.html", context)
