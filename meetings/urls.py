from django.urls import path

from meetings import health, views

urlpatterns = [
    path("cohorts/<slug:slug>/meetings/", views.cohort_meetings, name="cohort_meetings"),
    path("cohorts/<slug:slug>/meetings/series/new/", views.series_create, name="series_create"),
    path("cohorts/<slug:slug>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("cohorts/<slug:slug>/presenters/", views.presenters, name="presenters"),
    path("cohorts/<slug:slug>/health/", health.cohort_health, name="cohort_health"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/rsvp/", views.meeting_rsvp, name="meeting_rsvp"),
    path(
        "meetings/<int:pk>/notifications/",
        views.meeting_notifications,
        name="meeting_notifications",
    ),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/meeting.ics", views.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/topics/", views.meeting_post_topic, name="meeting_post_topic"),
    path("meetings/<int:pk>/agenda/publish/", views.agenda_publish, name="agenda_publish"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/vote/", views.agenda_vote, name="agenda_vote"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/move/", views.agenda_move, name="agenda_move"),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/",
        views.agenda_item_update,
        name="agenda_item_update",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/outcome/",
        views.agenda_outcome,
        name="agenda_outcome",
    ),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/commitments/", views.commitment_add, name="commitment_add"),
    path("commitments/", views.my_commitments, name="my_commitments"),
    path("commitments/<int:pk>/done/", views.commitment_done, name="commitment_done"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<int:pk>/edit/", views.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/delete/", views.topic_delete, name="topic_delete"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
