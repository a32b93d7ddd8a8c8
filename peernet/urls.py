from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from core import dev_mail_views
from core import views as core_views
from peernet import notification_views, styleguide_views, views

# Django's admin signs in through allauth, so rate limits and MFA apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "PeerNet administration"
# The 500 page quotes the request id the error was logged under (core/errors.py).
handler500 = "core.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("home/meetings/<int:pk>/rsvp/", views.home_rsvp, name="home_rsvp"),
    path("styleguide/", styleguide_views.styleguide, name="styleguide"),
    path("accounts/", include("allauth.urls")),
    path(
        "notifications/preferences/",
        core_views.notification_preferences,
        name="notification_preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        core_views.notification_unsubscribe,
        name="notification_unsubscribe",
    ),
    path("notifications/", notification_views.notification_log, name="notification_log"),
    path("cities/", core_views.city_search, name="city_search"),
    # Development only (404 unless DEBUG): the mail this installation wrote to files.
    path("dev/mail/", dev_mail_views.dev_mail_list, name="dev_mail_list"),
    path("dev/mail/<str:name>/", dev_mail_views.dev_mail_detail, name="dev_mail_detail"),
    path("", include("members.urls")),
    path("", include("groups.urls")),
    path("", include("meetings.urls")),
    path("admin/", admin.site.urls),
]
