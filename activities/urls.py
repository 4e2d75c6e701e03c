from django.urls import path

from activities.views import calendar, due, imports, log, my_day, timeline

app_name = "activities"

urlpatterns = [
    path("my-day/", my_day.my_day, name="my_day"),
    path("my-day/log/", my_day.quick_add, name="quick_add"),
    path("my-day/tally/", my_day.tally, name="tally"),
    path("my-day/outcomes/", my_day.outcome_options, name="outcome_options"),
    path("my-day/prospects/", my_day.prospect_results, name="prospect_results"),
    path("my-day/prospects/<int:pk>/", my_day.prospect_pick, name="prospect_pick"),
    path("my-day/prospects/clear/", my_day.prospect_clear, name="prospect_clear"),
    path("my-day/prospects/new/", my_day.prospect_new, name="prospect_new"),
    path("my-day/due/<int:pk>/done/", due.due_done, name="due_done"),
    path("my-day/due/<int:pk>/move/", due.due_move, name="due_move"),
    path("my-day/activities/<int:pk>/edit/", log.activity_edit, name="activity_edit"),
    path("my-day/activities/<int:pk>/delete/", log.activity_delete, name="activity_delete"),
    path("activities/", log.activity_log, name="log"),
    path("activities/<int:pk>/history/", log.activity_history, name="activity_history"),
    path("activities/<int:pk>/correct/", log.activity_correct, name="activity_correct"),
    path("activities/timeline/", timeline.timeline, name="timeline"),
    path("activities/next-steps/", due.next_steps, name="next_steps"),
    path("calendar/<str:secret>.ics", calendar.feed, name="calendar_feed"),
    path("settings/calendar/", calendar.calendar_settings, name="calendar"),
    path("settings/calendar/reset/", calendar.calendar_reset, name="calendar_reset"),
    path("import/", imports.import_upload, name="import"),
    path("import/confirm/", imports.import_confirm, name="import_confirm"),
    path("import/<uuid:token>/", imports.import_job, name="import_job"),
    path("import/<uuid:token>/mapping/", imports.import_mapping, name="import_mapping"),
]
