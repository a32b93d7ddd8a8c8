from django.urls import path

from meetings import health
from meetings.views import agenda, attendance, calendar, commitments, meetings, topics

urlpatterns = [
    path("cohorts/<slug:slug>/meetings/", meetings.cohort_meetings, name="cohort_meetings"),
    path("cohorts/<slug:slug>/meetings/series/new/", meetings.series_create, name="series_create"),
    path("cohorts/<slug:slug>/meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("cohorts/<slug:slug>/presenters/", topics.presenters, name="presenters"),
    path("cohort-health/", health.cohorts_health, name="cohorts_health"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/rsvp/", meetings.meeting_rsvp, name="meeting_rsvp"),
    path(
        "meetings/<int:pk>/notifications/",
        meetings.meeting_notifications,
        name="meeting_notifications",
    ),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/meeting.ics", meetings.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/topics/", agenda.meeting_post_topic, name="meeting_post_topic"),
    path("meetings/<int:pk>/agenda/publish/", agenda.agenda_publish, name="agenda_publish"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/vote/", agenda.agenda_vote, name="agenda_vote"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/move/", agenda.agenda_move, name="agenda_move"),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/",
        agenda.agenda_item_update,
        name="agenda_item_update",
    ),
    path(
        "meetings/<int:pk>/agenda/<int:item_pk>/outcome/",
        agenda.agenda_outcome,
        name="agenda_outcome",
    ),
    path("meetings/<int:pk>/attendance/", attendance.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/commitments/", commitments.commitment_add, name="commitment_add"),
    path("commitments/", commitments.my_commitments, name="my_commitments"),
    path("commitments/<int:pk>/done/", commitments.commitment_done, name="commitment_done"),
    path("topics/", topics.topic_list, name="topic_list"),
    path("topics/<int:pk>/edit/", topics.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/delete/", topics.topic_delete, name="topic_delete"),
    path("calendar/", calendar.calendar_settings, name="calendar_settings"),
    path("calendar/feed/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
