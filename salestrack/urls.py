from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from api import esp
from api.v1 import api as api_v1
from salestrack import catalogue, health
from users import views as user_views
from users.forms import LoginForm

auth_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
            # The language switcher's choices, each named in itself (never translated).
            extra_context={"languages": settings.LANGUAGES},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", user_views.profile, name="profile"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        user_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", user_views.home, name="home"),
    path("accounts/", include(auth_patterns)),
    # Django's set_language: the sign-in page's language switcher; the words static/js
    # needs, in the page's language (docs/i18n.md).
    path("i18n/", include("django.conf.urls.i18n")),
    path("i18n/js/<str:language>/", catalogue.catalogue, name="javascript-catalog"),
    path("", include("activities.urls")),
    path("", include("pipeline.urls")),
    path("", include("quotas.urls")),
    path("", include("dashboards.urls")),
    path("settings/api-tokens/", include("api.urls")),
    path("settings/webhooks/", include("webhooks.urls")),
    path("settings/captured-events/", include("capture.urls")),
    path("settings/", include("users.urls")),
    # Before the API's own routes: the email services post in their own formats.
    path("api/v1/events/email/", include(esp.urlpatterns)),
    path("api/v1/", api_v1.urls),
    path("healthz", health.healthz, name="healthz"),
    path("django-admin/", admin.site.urls),
]
