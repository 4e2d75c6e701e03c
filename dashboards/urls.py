from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("team/", views.team_dashboard, name="team"),
    path("my-day/targets/", views.my_targets, name="my_targets"),
    path("what-if/", views.what_if, name="what_if"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("reps/<int:pk>/", views.rep_detail, name="rep"),
    path("alerts/<int:pk>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
]
