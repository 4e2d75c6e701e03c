from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("team/", views.team_dashboard, name="team"),
    path("settings/targets/", views.target_list, name="targets"),
    path("settings/targets/plan/", views.target_plan, name="target_plan"),
]
