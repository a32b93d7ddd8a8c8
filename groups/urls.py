from django.urls import path

from groups import company_change_views, directory_views, formation_views, placement_views, views

urlpatterns = [
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/new/", views.cohort_create, name="cohort_create"),
    path("cohorts/<slug:slug>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<slug:slug>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<slug:slug>/add/", views.cohort_add, name="cohort_add"),
    path(
        "cohorts/<slug:slug>/add/<int:user_id>/", views.cohort_add_member, name="cohort_add_member"
    ),
    path(
        "cohorts/<slug:slug>/members/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("cohorts/<slug:slug>/people/", directory_views.cohort_directory, name="cohort_directory"),
    path(
        "cohorts/<slug:slug>/people/<int:user_id>/",
        directory_views.cohort_person,
        name="cohort_person",
    ),
    path("people/<int:user_id>/photo/", directory_views.person_photo, name="person_photo"),
    path("pool/", views.pool, name="pool"),
    path("pool/placements/", placement_views.pool_placements, name="pool_placements"),
    path("pool/<int:user_id>/place/", placement_views.member_placement, name="member_placement"),
    path(
        "pool/<int:user_id>/place/<slug:slug>/",
        placement_views.member_place,
        name="member_place",
    ),
    path(
        "renewals/company-changes/",
        company_change_views.company_changes,
        name="company_changes",
    ),
    path(
        "renewals/company-changes/<int:pk>/decide/",
        company_change_views.company_change_decide,
        name="company_change_decide",
    ),
    path("formation/", formation_views.formation_start, name="formation_start"),
    path("formation/<int:pk>/", formation_views.formation_detail, name="formation_detail"),
    path("formation/<int:pk>/move/", formation_views.formation_move, name="formation_move"),
    path("formation/<int:pk>/apply/", formation_views.formation_apply, name="formation_apply"),
]
