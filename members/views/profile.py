"""A member's own profile: what their cohort sees of them, and a company change request."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.http import posted
from members import forms, selectors, services
from members.permissions import can_edit_own_profile


def _initial(user, profile) -> dict:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "time_zone": user.time_zone,
        **{name: getattr(profile, name) for name in services.PROFILE_SELF_FIELDS},
        "city": profile.city_geoname_id,
    }


def _company_initial(profile) -> dict:
    """The company change form starts from the company on the profile, to be corrected."""
    return {"company": profile.company, "company_website": profile.company_website}


def profile_edit(request):
    if not can_edit_own_profile(request.user):
        raise Http404
    user = request.user
    profile = services.profile_get_or_create(user=user)
    form = forms.ProfileForm(
        posted(request), request.FILES or None, initial=_initial(user, profile)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload, remove = data.pop("photo"), data.pop("photo_remove")
        try:
            if upload:
                services.photo_set(user=user, upload=upload)
        except ValidationError as refused:
            form.add_error("photo", refused.messages)
        else:
            if remove and not upload:
                services.photo_remove(user=user)
            # A cleared city clears its coordinates too; the country stays as it was. A city
            # typed before the list existed (no GeoNames id) stays until one is chosen.
            chosen = data.pop("city")
            city = {}
            if chosen is not None or profile.city_geoname_id is not None:
                city = services.city_fields(chosen)
                city.setdefault("country", profile.country)
            services.profile_self_update(user=user, **data, **city)
            messages.success(request, "Your profile is saved.")
            return redirect("profile_edit")
    context = {
        "form": form,
        "profile": profile,
        "company_form": forms.CompanyChangeForm(initial=_company_initial(profile)),
        "company_request": selectors.company_request_latest(user),
    }
    return render(request, "members/profile_edit.html", context)


@require_POST
def company_change(request):
    if not can_edit_own_profile(request.user):
        raise Http404
    form = forms.CompanyChangeForm(request.POST)
    if form.is_valid():
        services.company_change_request(user=request.user, **form.cleaned_data)
        messages.success(
            request,
            "Your new company is with the membership team. Your profile shows it once they "
            "approve it.",
        )
        return redirect("profile_edit")
    profile = services.profile_get_or_create(user=request.user)
    context = {
        "form": forms.ProfileForm(initial=_initial(request.user, profile)),
        "profile": profile,
        "company_form": form,
        "company_request": selectors.company_request_latest(request.user),
    }
    return render(request, "members/profile_edit.html", context)


def agreement_reread(request):
    """The confidentiality agreement in force, to read again; "I have read it" is recorded
    (a first step on the member's dashboard)."""
    if not can_edit_own_profile(request.user):
        raise Http404
    if request.method == "POST":
        services.agreement_reread(user=request.user)
        messages.success(request, "Thank you. What is said in forum stays in forum.")
        return redirect("home")
    profile = services.profile_get_or_create(user=request.user)
    context = {"agreement": selectors.current_agreement(), "profile": profile}
    return render(request, "members/agreement_reread.html", context)
