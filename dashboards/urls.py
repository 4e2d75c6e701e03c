from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.team_dashboard, name="team"),
]
