import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.http import posted
from members import forms, selectors, services
from members.models import Application, EligibilityPolicy, RankedChallenge
from members.permissions import can_apply, can_review_applications

S = Application.Status
SECTION_KEYS = [key for key, _ in selectors.SECTIONS]


def _my_application(request) -> Application:
    if not can_apply(request.user):
        raise Http404
    if request.user.role == "member":
        application = selectors.application_of(request.user)
        if application is None:
            raise Http404
        return application
    return services.application_get_or_create(applicant=request.user)


def _errors_to_messages(request, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


# Applicant -------------------------------------------------------------------------------


def application_overview(request):
    application = _my_application(request)
    missing = dict(selectors.application_missing(application)) if application.is_editable else {}
    sections = [(key, title, key not in missing) for key, title in selectors.SECTIONS]
    answered, total = selectors.reference_progress(application)
    context = {
        "application": application,
        "sections": sections,
        "missing": missing,
        "timeline": selectors.application_timeline(application),
        "references_answered": answered,
        "references_total": total,
        "withdraw_form": forms.WithdrawForm(),
        "can_withdraw": application.status
        in {S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.INFO_REQUESTED, S.WAITLISTED},
        "info_request": application.events.filter(to_status=S.INFO_REQUESTED).last()
        if application.status == S.INFO_REQUESTED
        else None,
    }
    return render(request, "members/application_overview.html", context)


def _next_section(section: str) -> str:
    index = SECTION_KEYS.index(section)
    if index + 1 < len(SECTION_KEYS):
        return reverse("application_section", args=[SECTION_KEYS[index + 1]])
    return reverse("application_overview")


def application_section(request, section: str):
    if section not in SECTION_KEYS:
        raise Http404
    application = _my_application(request)
    if not application.is_editable:
        messages.info(
            request, "Your application is with our membership team and cannot be changed now."
        )
        return redirect("application_overview")
    user = application.applicant
    profile = services.profile_get_or_create(user=user)
    handler = SECTION_HANDLERS[section]
    context = handler(request, application=application, profile=profile, user=user)
    if not isinstance(context, dict):
        messages.success(request, f"{selectors.SECTION_TITLES[section]} saved.")
        return redirect(_next_section(section))
    context.update(
        application=application,
        section=section,
        section_title=selectors.SECTION_TITLES[section],
        sections=selectors.SECTIONS,
        step=SECTION_KEYS.index(section) + 1,
        step_count=len(SECTION_KEYS),
    )
    return render(request, f"members/section_{section}.html", context)


def _about(request, *, application, profile, user):
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "title": profile.title,
        "city": profile.city,
        "country": profile.country,
        "time_zone": user.time_zone,
        "linkedin_url": profile.linkedin_url,
        "bio": profile.bio,
    }
    form = forms.AboutForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        services.profile_update(
            profile=profile,
            user_fields={
                "first_name": d["first_name"],
                "last_name": d["last_name"],
                "time_zone": d["time_zone"],
            },
            title=d["title"],
            city=d["city"],
            country=d["country"],
            linkedin_url=d["linkedin_url"],
            bio=d["bio"],
        )
        return None
    return {"form": form}


def _company(request, *, application, profile, user):
    fields = list(forms.CompanyForm.base_fields)
    form = forms.CompanyForm(
        posted(request),
        initial={f: getattr(profile, f) for f in fields},
    )
    if request.method == "POST" and form.is_valid():
        services.profile_update(profile=profile, **form.cleaned_data)
        return None
    return {"form": form}


def _challenges(request, *, application, profile, user):
    ranked = RankedChallenge.objects.filter(profile=profile).order_by("rank")
    form = forms.ChallengesForm(
        posted(request),
        initial={f"rank_{r.rank}": r.challenge_id for r in ranked},
    )
    if request.method == "POST" and form.is_valid():
        services.challenges_rank(profile=profile, challenges=form.ranked())
        return None
    return {"form": form}


def _conflicts(request, *, application, profile, user):
    initial = [
        {
            k: getattr(c, k)
            for k in (
                "relationship",
                "company_name",
                "company_domain",
                "person_name",
                "person_email",
                "note",
            )
        }
        for c in profile.conflicts.all()
    ]
    formset = forms.ConflictFormSet(posted(request), initial=initial, prefix="conflicts")
    confirm = forms.ConflictsConfirmForm(
        posted(request),
        initial={"confirm": application.conflicts_reviewed},
    )
    if request.method == "POST" and formset.is_valid() and confirm.is_valid():
        services.conflicts_replace(profile=profile, declarations=formset.declarations())
        services.application_conflicts_reviewed(application=application)
        return None
    return {"formset": formset, "confirm_form": confirm}


def _references(request, *, application, profile, user):
    initial = {}
    for ref in application.references.all():
        initial.update(
            {
                f"ref{ref.position}_name": ref.name,
                f"ref{ref.position}_email": ref.email,
                f"ref{ref.position}_relationship": ref.relationship,
            }
        )
    form = forms.ReferencesForm(
        posted(request),
        initial=initial,
        applicant_email=user.email,
    )
    if request.method == "POST" and form.is_valid():
        services.references_replace(application=application, references=form.references())
        return None
    return {"form": form}


def _agreement(request, *, application, profile, user):
    agreement = selectors.current_agreement()
    form = forms.AgreementForm(
        posted(request),
        initial={
            "motivation": application.motivation,
            "accept": application.agreement_id == getattr(agreement, "pk", None),
        },
    )
    if request.method == "POST" and form.is_valid():
        services.application_agreement_save(
            application=application,
            motivation=form.cleaned_data["motivation"],
            agreement=agreement,
        )
        return None
    return {"form": form, "agreement": agreement}


SECTION_HANDLERS = {
    "about": _about,
    "company": _company,
    "challenges": _challenges,
    "conflicts": _conflicts,
    "references": _references,
    "agreement": _agreement,
}


@require_POST
def application_submit(request):
    application = _my_application(request)
    try:
        services.application_submit(application=application, actor=request.user)
    except ValidationError as error:
        _errors_to_messages(request, error)
    else:
        messages.success(
            request, "Thank you. Your application is submitted; we have emailed you a receipt."
        )
    return redirect("application_overview")


@require_POST
def application_withdraw(request):
    application = _my_application(request)
    form = forms.WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.application_withdraw(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _errors_to_messages(request, error)
        else:
            messages.success(request, "Your application is withdrawn.")
    else:
        for error in form.errors.get("reason", []):
            messages.error(request, f"Reason: {error}")
    return redirect("application_overview")


# Referee ---------------------------------------------------------------------------------


@login_not_required
def reference_respond(request, token: str):
    reference, problem = selectors.reference_by_token(token)
    if reference is None:
        return render(
            request, "members/reference_unavailable.html", {"problem": problem}, status=404
        )
    form = forms.ReferenceAnswerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.reference_answer(reference=reference, **form.cleaned_data)
        except ValidationError as error:
            return render(
                request,
                "members/reference_unavailable.html",
                {"problem": error.messages[0]},
                status=410,
            )
        return render(request, "members/reference_thanks.html", {"reference": reference})
    return render(request, "members/reference_form.html", {"form": form, "reference": reference})


# Review ----------------------------------------------------------------------------------


def _reviewer_only(request):
    if not can_review_applications(request.user):
        raise Http404


def review_queue(request):
    _reviewer_only(request)
    form = forms.QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queue = selectors.review_queue(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(queue, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "counts": selectors.queue_counts(request.user),
        "query": query.urlencode(),
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
        form.add_error(None, error)
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
            form.add_error(None, error)
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
        _errors_to_messages(request, error)
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
    from members import eligibility

    context = {
        "form": form,
        "policy": policy,
        "summary": eligibility.describe_rules(policy.rules) if policy else [],
        "history": EligibilityPolicy.objects.select_related("created_by")[:10],
    }
    return render(request, "members/review_policy.html", context)
