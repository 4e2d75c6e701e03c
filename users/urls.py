from django.urls import path

from users import views

app_name = "users"

urlpatterns = [
    path("", views.settings_home, name="settings"),
    path("organisation/", views.organisation_edit, name="organisation"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/hand-over/", views.user_hand_over, name="user_hand_over"),
    path(
        "users/<int:pk>/password-email/",
        views.user_send_password_email,
        name="user_send_password_email",
    ),
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_edit, name="team_edit"),
    path("teams/<int:pk>/active/", views.team_set_active, name="team_set_active"),
]
