from django.urls import path

from members.views import application, profile, references, renewal, review

urlpatterns = [
    path("application/", application.application_overview, name="application_overview"),
    path("application/review/", application.application_review, name="application_review"),
    path("application/submit/", application.application_submit, name="application_submit"),
    path("application/withdraw/", application.application_withdraw, name="application_withdraw"),
    path(
        "application/<slug:section>/",
        application.application_section,
        name="application_section",
    ),
    path("profile/", profile.profile_edit, name="profile_edit"),
    path("profile/company/", profile.company_change, name="company_change"),
    path("agreement/", profile.agreement_reread, name="agreement_reread"),
    path("renewal/", renewal.renewal, name="renewal"),
    path("renewals/", renewal.renewal_queue, name="renewal_queue"),
    path("renewals/<int:pk>/", renewal.renewal_detail, name="renewal_detail"),
    path("renewals/<int:pk>/decide/", renewal.renewal_decide, name="renewal_decide"),
    path("renewals/<int:pk>/date/", renewal.renewal_date, name="renewal_date"),
    path("renewals/conflicts/", renewal.company_flags, name="company_flags"),
    path(
        "renewals/conflicts/<int:pk>/handled/",
        renewal.company_flag_handled,
        name="company_flag_handled",
    ),
    path("references/<str:token>/", references.reference_respond, name="reference_respond"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/policy/", review.review_policy, name="review_policy"),
    path("review/<int:pk>/", review.review_detail, name="review_detail"),
    path("review/<int:pk>/score/", review.review_score, name="review_score"),
    path("review/<int:pk>/note/", review.review_note, name="review_note"),
    path("review/<int:pk>/decide/", review.review_decide, name="review_decide"),
    path("review/<int:pk>/waive/", review.review_waive, name="review_waive"),
    path(
        "review/<int:pk>/references/<int:reference_pk>/resend/",
        review.review_reference_resend,
        name="review_reference_resend",
    ),
]
