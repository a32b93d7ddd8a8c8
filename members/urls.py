from django.urls import path

from members import views

urlpatterns = [
    path("application/", views.application_overview, name="application_overview"),
    path("application/submit/", views.application_submit, name="application_submit"),
    path("application/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("application/<slug:section>/", views.application_section, name="application_section"),
    path("references/<str:token>/", views.reference_respond, name="reference_respond"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/policy/", views.review_policy, name="review_policy"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("review/<int:pk>/score/", views.review_score, name="review_score"),
    path("review/<int:pk>/note/", views.review_note, name="review_note"),
    path("review/<int:pk>/decide/", views.review_decide, name="review_decide"),
    path("review/<int:pk>/waive/", views.review_waive, name="review_waive"),
    path(
        "review/<int:pk>/references/<int:reference_pk>/resend/",
        views.review_reference_resend,
        name="review_reference_resend",
    ),
]
