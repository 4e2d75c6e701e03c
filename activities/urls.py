from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("my-day/", views.my_day, name="my_day"),
    path("my-day/log/", views.quick_add, name="quick_add"),
    path("my-day/tally/", views.tally, name="tally"),
    path("my-day/outcomes/", views.outcome_options, name="outcome_options"),
    path("my-day/prospects/", views.prospect_results, name="prospect_results"),
    path("my-day/prospects/<int:pk>/", views.prospect_pick, name="prospect_pick"),
    path("my-day/prospects/clear/", views.prospect_clear, name="prospect_clear"),
    path("my-day/prospects/new/", views.prospect_new, name="prospect_new"),
    path("my-day/due/<int:pk>/done/", views.due_done, name="due_done"),
    path("my-day/due/<int:pk>/move/", views.due_move, name="due_move"),
    path("my-day/activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("my-day/activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("activities/", views.activity_log, name="log"),
    path("activities/<int:pk>/history/", views.activity_history, name="activity_history"),
    path("activities/<int:pk>/correct/", views.activity_correct, name="activity_correct"),
    path("activities/timeline/", views.timeline, name="timeline"),
    path("activities/next-steps/", views.next_steps, name="next_steps"),
    path("import/", views.import_upload, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<uuid:token>/", views.import_job, name="import_job"),
    path("import/<uuid:token>/mapping/", views.import_mapping, name="import_mapping"),
]
