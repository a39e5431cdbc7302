from django.urls import path

from . import apis, apis_migration

# Mounted at /api/v1/definitions/. A file is a service (by its code) or a part: a decision table file
# (parts/decisions/<code>/) or a shared sub-process (parts/shared/<code>/).
urlpatterns = [
    path("", apis.DefinitionsApi.as_view(), name="definitions-list"),
    path("lint/", apis.LintApi.as_view(), name="definitions-lint"),
    path("drafts/<str:draft_id>/", apis.DraftApi.as_view(), name="definitions-draft"),
    path("drafts/<str:draft_id>/compare/", apis.DraftCompareApi.as_view(), name="definitions-draft-compare"),
    path("drafts/<str:draft_id>/deploy/", apis.DraftDeployApi.as_view(), name="definitions-draft-deploy"),
    path("parts/<str:kind>/<str:code>/drafts/", apis.PartDraftsApi.as_view(), name="definitions-part-drafts"),
    path(
        "parts/<str:kind>/<str:code>/versions/<int:version>/source/",
        apis.PartVersionSourceApi.as_view(),
        name="definitions-part-version-source",
    ),
    path(
        "parts/<str:kind>/<str:code>/versions/<int:version>/activate/",
        apis.PartVersionActivateApi.as_view(),
        name="definitions-part-version-activate",
    ),
    path(
        "migrations/<str:tracking_number>/revert/",
        apis_migration.MigrationRevertApi.as_view(),
        name="definitions-migration-revert",
    ),
    path("<str:code>/drafts/", apis.ServiceDraftsApi.as_view(), name="definitions-drafts"),
    path("<str:code>/migration/", apis_migration.MigrationApi.as_view(), name="definitions-migration"),
    path(
        "<str:code>/versions/<int:version>/source/",
        apis.VersionSourceApi.as_view(),
        name="definitions-version-source",
    ),
    path(
        "<str:code>/versions/<int:version>/activate/",
        apis.VersionActivateApi.as_view(),
        name="definitions-version-activate",
    ),
]
