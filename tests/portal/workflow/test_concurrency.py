"""Two people completing the same step at the same moment: exactly one wins."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from tests.conftest import SKTM_APPLICANT, officer_of


def _register_and_pass_counter(api: Any) -> tuple[str, int]:
    body = api("loket1").post(
        "/api/v1/requests/",
        {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Berobat"}},
        format="json",
    )
    tn = body.json()["tracking_number"]
    counter = api("loket1").get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"][0]
    api("loket1").post(
        f"/api/v1/tasks/{counter['id']}/complete/", {"data": {"hasil_pemeriksaan": "lengkap"}}, format="json"
    )
    kasi_task = api("kasi1").get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"][0]
    return tn, int(kasi_task["id"])


@pytest.mark.django_db(transaction=True)
def test_simultaneous_completions_one_succeeds_other_gets_409(
    droppable_audit_log: Any, api: Any, users: Any, deployed: Any
) -> None:
    from portal.workflow.events import chain_verify
    from portal.workflow.models import HumanTask, InstanceEvent, ProcessInstance

    kasi2 = officer_of("kasi2", "kasi", password="x-uji-kasi-2")
    users["kasi2"] = kasi2
    tn, task_id = _register_and_pass_counter(api)
    instance = ProcessInstance.objects.get(tracking_number=tn)
    events_before = InstanceEvent.objects.filter(instance=instance).count()

    barrier = threading.Barrier(2)
    results: dict[str, tuple[int, Any]] = {}

    def complete(username: str, verdict: str) -> None:
        client = api(username)
        barrier.wait()
        try:
            response = client.post(
                f"/api/v1/tasks/{task_id}/complete/",
                {"data": {"terdaftar_dtks": True, "hasil_verifikasi": verdict}},
                format="json",
            )
            results[username] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [
        threading.Thread(target=complete, args=("kasi1", "memenuhi")),
        threading.Thread(target=complete, args=("kasi2", "tidak_memenuhi")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    statuses = sorted(code for code, _ in results.values())
    assert statuses == [200, 409], results
    winner = next(u for u, (code, _) in results.items() if code == 200)
    task = HumanTask.objects.get(pk=task_id)
    assert task.status == "completed" and task.completed_by.username == winner
    instance.refresh_from_db()
    completions = InstanceEvent.objects.filter(
        instance=instance, type="human_task_completed", payload__human_task_id=task_id
    )
    assert completions.count() == 1 and completions.get().actor_username == winner
    assert InstanceEvent.objects.filter(instance=instance).count() > events_before
    assert chain_verify(instance) == []
    # The instance moved exactly once past the verification step.
    open_steps = list(
        HumanTask.objects.filter(instance=instance, status__in=["ready", "claimed"]).values_list("bpmn_id", flat=True)
    )
    expected = "Task_SusunDraf" if winner == "kasi1" else "Task_InformasikanPenolakan"
    assert open_steps == [expected] or (winner == "kasi2" and len(open_steps) == 1)
