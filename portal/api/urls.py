from django.urls import path

from . import apis

urlpatterns = [
    path("requests/", apis.RequestRegisterApi.as_view(), name="request-register"),
    path("requests/<str:tracking_number>/", apis.RequestDetailApi.as_view(), name="request-detail"),
    path("requests/<str:tracking_number>/messages/", apis.RequestMessageApi.as_view(), name="request-messages"),
    path("requests/<str:tracking_number>/diagram/", apis.RequestDiagramApi.as_view(), name="request-diagram"),
    path("tasks/", apis.HumanTaskListApi.as_view(), name="human-task-list"),
    path("tasks/overdue/", apis.HumanTaskOverdueApi.as_view(), name="human-task-overdue"),
    path("tasks/<str:human_task_id>/claim/", apis.HumanTaskClaimApi.as_view(), name="human-task-claim"),
    path("tasks/<str:human_task_id>/release/", apis.HumanTaskReleaseApi.as_view(), name="human-task-release"),
    path("tasks/<str:human_task_id>/complete/", apis.HumanTaskCompleteApi.as_view(), name="human-task-complete"),
    path("instances/<str:instance_id>/events/", apis.InstanceEventListApi.as_view(), name="instance-events"),
]
