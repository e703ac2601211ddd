from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from . import sso_views, views

# The admin logs in through allauth, so its users pass rate limiting and MFA too.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "Werkend Leren — beheer"
admin.site.site_title = "Werkend Leren"

urlpatterns = [
    path("", include("dashboard.urls")),
    path("profiel/", views.profile_edit, name="profile"),
    path("profiel/inlogpogingen/", views.login_history, name="login_history"),
    path("herinneringen/", views.reminder_list, name="reminder_list"),
    path("profiel/e-mail/", views.mail_preferences, name="mail_preferences"),
    path("", include("portal.personal_data_urls")),
    path("beheer/mailstatus/", views.mail_status, name="mail_status"),
    path("beheer/mailstatus/opnieuw/", views.mail_status_retry_all, name="mail_status_retry_all"),
    path("beheer/mailstatus/<int:pk>/opnieuw/", views.mail_status_retry, name="mail_status_retry"),
    path("uitnodigingen/", views.invitation_list, name="invitation_list"),
    path("uitnodigingen/<int:pk>/intrekken/", views.invitation_revoke, name="invitation_revoke"),
    path("uitnodiging/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("netwerk/", views.network_directory, name="network"),
    path("netwerk/mensen/<int:user_pk>/", views.network_person, name="network_person"),
    path("netwerk/instellingen/", views.network_settings, name="network_settings"),
    path("netwerk/instellingen/intrekken/", views.network_revoke, name="network_revoke"),
    path("partners/", views.organisation_list, name="organisation_list"),
    path("beheer/organisaties/", views.beheer_organisation_list, name="beheer_organisation_list"),
    path(
        "beheer/organisaties/nieuw/",
        views.beheer_organisation_form,
        name="beheer_organisation_create",
    ),
    path(
        "beheer/organisaties/<int:pk>/",
        views.beheer_organisation_form,
        name="beheer_organisation_edit",
    ),
    path(
        "beheer/organisaties/<int:pk>/inlogdienst/",
        sso_views.beheer_identity_provider,
        name="beheer_identity_provider",
    ),
    path("inloggen/organisatie/", sso_views.sso_start, name="sso_start"),
    path("beheer/programmas/", views.beheer_programme_list, name="beheer_programme_list"),
    path("beheer/programmas/nieuw/", views.beheer_programme_create, name="beheer_programme_create"),
    path(
        "beheer/programmas/<int:pk>/", views.beheer_programme_detail, name="beheer_programme_detail"
    ),
    path(
        "beheer/programmas/<int:pk>/coordinatoren/<int:user_pk>/verwijderen/",
        views.beheer_programme_coordinator_remove,
        name="beheer_programme_coordinator_remove",
    ),
    path("beheer/rollen/", views.beheer_role_list, name="beheer_role_list"),
    path("beheer/rollen/<int:pk>/intrekken/", views.beheer_role_revoke, name="beheer_role_revoke"),
    path("beheer/uitnodigingen/", views.beheer_invitations, name="beheer_invitations"),
    path("beheer/rolwijzigingen/", views.beheer_role_changes, name="beheer_role_changes"),
    path("beheer/rolreview/", views.beheer_role_review_list, name="beheer_role_review_list"),
    path(
        "beheer/rolreview/<int:pk>/",
        views.beheer_role_review_detail,
        name="beheer_role_review_detail",
    ),
    path(
        "beheer/rolreview/<int:pk>/regels/<int:line_pk>/",
        views.beheer_role_review_decide,
        name="beheer_role_review_decide",
    ),
    path(
        "beheer/vernietigingsregister/",
        views.beheer_destruction_register,
        name="beheer_destruction_register",
    ),
    path(
        "beheer/vernietigingsregister/export.csv",
        views.beheer_destruction_register_csv,
        name="beheer_destruction_register_csv",
    ),
    path("privacyverklaring/", views.privacy_statement, name="privacy_statement"),
    path("toegankelijkheid/", views.accessibility_statement, name="accessibility_statement"),
    path("trainingen/", include("trainings.urls")),
    path("certificaat/", include("trainings.certificate_urls")),
    path("signalen/", include("signalen.urls")),
    path("werkplaatsen/", include("werkplaats.urls")),
    path("verkenningen/", include("verkenning.urls")),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
