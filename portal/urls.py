from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from portal.web.views import ApiDocsView

urlpatterns = [
    path("", include("portal.web.urls")),
    path("", include("portal.publication.urls_pages")),
    path("admin/", admin.site.urls),
    path("api/v1/auth/", include("portal.accounts.urls")),
    path("api/v1/services/", include("portal.publication.urls")),
    path("api/v1/requests/<str:tracking_number>/", include("portal.documents.urls")),
    path("api/v1/delegations/", include("portal.delegation.urls")),
    path("api/v1/approvals/", include("portal.approvals.urls")),
    path("pelimpahan/", include("portal.delegation.urls_pages")),
    path("persetujuan/", include("portal.approvals.urls_pages")),
    path("perancang/", include("portal.designer.urls")),
    path("audit/", include("portal.audit.urls")),
    path("insiden/", include("portal.incidents.urls")),
    path("api/v1/incidents/", include("portal.incidents.urls_api")),
    path("api/v1/audit/", include("portal.audit.urls_api")),
    path("api/v1/definitions/", include("portal.designer.urls_api")),
    path("api/v1/analytics/", include("portal.analytics.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/v1/letters/", include("portal.letters.urls")),
    path("verifikasi/", include("portal.letters.urls_pages")),
    path("", include("portal.tracking.urls")),  # /lacak/ pages and /api/v1/tracking/
    path("", include("portal.citizen.urls")),  # /ajukan/, /permohonan-saya/ of the applicant
    path("", include("portal.survey.urls")),  # /survei/<tn>/ and /api/v1/survey/
    path("", include("portal.officework.urls")),  # /kerja/ and /loket/ pages of the officers
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
]
