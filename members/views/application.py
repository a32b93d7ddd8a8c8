"""The applicant's pages: the overview, one page per section, submit and withdraw."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.http import posted, service_error_show
from members import forms, selectors, services
from members.models import Application, RankedChallenge
from members.permissions import can_apply

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
    return reverse("application_review")


def application_review(request):
    """Every answer read-only: before submitting, with a "Change" link per section and the
    submit action; afterwards, what was submitted (never notes, scores or reviewers)."""
    application = _my_application(request)
    missing = dict(selectors.application_missing(application)) if application.is_editable else {}
    context = {
        "application": application,
        "answers": selectors.application_answers(application),
        "sections": [(key, title, missing.get(key, "")) for key, title in selectors.SECTIONS],
        "missing": missing,
        "agreement": application.agreement,
    }
    return render(request, "members/application_review.html", context)


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
    missing = dict(selectors.application_missing(application))
    context.update(
        application=application,
        section=section,
        section_title=selectors.SECTION_TITLES[section],
        sections=[(key, title, key not in missing) for key, title in selectors.SECTIONS],
        sections_done=sum(key not in missing for key in SECTION_KEYS),
        step=SECTION_KEYS.index(section) + 1,
        step_count=len(SECTION_KEYS),
    )
    return render(request, f"members/section_{section}.html", context)


def _about(request, *, application, profile, user):
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "title": profile.title,
        "city": profile.city_geoname_id,
        "time_zone": user.time_zone,
        "meeting_hours_start": profile.meeting_hours_start,
        "meeting_hours_end": profile.meeting_hours_end,
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
            **services.city_fields(d["city"]),
            meeting_hours_start=d["meeting_hours_start"],
            meeting_hours_end=d["meeting_hours_end"],
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
    if request.method == "POST" and "add_row" in request.POST:
        return _conflicts_add_row(request, initial=initial)
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


def _conflicts_add_row(request, *, initial):
    """Without JavaScript, "Add another row" re-renders what was typed plus one empty row.

    Nothing is saved and nothing is judged yet: a half-typed row is not an error until the
    applicant saves, so the bound forms' errors are cleared before rendering.
    """
    data = request.POST.copy()
    total_key = "conflicts-TOTAL_FORMS"
    try:
        total = int(data.get(total_key, ""))
    except ValueError:
        total = len(initial)
    data[total_key] = str(min(total + 1, forms.ConflictFormSet.max_num))
    formset = forms.ConflictFormSet(data, initial=initial, prefix="conflicts")
    formset._non_form_errors = formset.error_class()
    formset._errors = []
    for form in formset.forms:
        form._errors = ErrorDict()
    confirm = forms.ConflictsConfirmForm(initial={"confirm": "confirm" in request.POST})
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
        service_error_show(request, error)
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
            service_error_show(request, error)
        else:
            messages.success(request, "Your application is withdrawn.")
    else:
        for error in form.errors.get("reason", []):
            messages.error(request, f"Reason: {error}")
    return redirect("application_overview")
