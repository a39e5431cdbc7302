"""What the tests read back: exports written to files, read by pm4py and pandas as a miner would, and the
same facts counted straight from the database."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

# The kinds of events the export turns into log events (portal/analytics/eventlog.py's docstring).
EXPORTED = (
    "instance_started", "human_task_created", "human_task_claimed", "human_task_released", "human_task_completed",
    "human_task_cancelled", "timer_fired", "message_delivered", "instance_completed", "instance_cancelled",
)  # fmt: skip
PRIVATE = ("nik", "name", "phone")  # what the applicant wrote of herself: never in a log


def export(tmp_path: Path, fmt: str, name: str = "log", **filters: str) -> tuple[Path, bytes]:
    """Export through the command's path (parse the filters, write the file); the file and its bytes."""
    from portal.analytics.eventlog import log_write
    from portal.analytics.params import export_parse

    parsed = export_parse(fmt=fmt, **filters)
    target = tmp_path / f"{name}.{fmt}"
    with target.open("wb") as out:
        log_write(parsed.query, out, fmt=fmt, title=parsed.title)
    return target, target.read_bytes()


def read_xes(path: Path) -> Any:
    import pm4py

    return pm4py.read_xes(str(path))


def read_csv(path: Path) -> Any:
    import pandas
    import pm4py

    frame = pandas.read_csv(path, dtype={"version": int}, keep_default_na=False)
    return pm4py.format_dataframe(frame, case_id="case_id", activity_key="activity", timestamp_key="timestamp")


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def events_in_db(instances: list[Any]) -> Counter[str]:
    """Tracking number -> how many events of the exported kinds its log holds."""
    from portal.workflow.models import InstanceEvent

    rows = InstanceEvent.objects.filter(instance__in=instances, type__in=EXPORTED)
    return Counter(rows.values_list("instance__tracking_number", flat=True))


def completed_steps(instances: list[Any]) -> set[tuple[str, str, str, str, datetime]]:
    """(tracking number, step name, who completed it, its role, when) of every completed step."""
    from portal.workflow.models import HumanTask

    rows = HumanTask.objects.filter(instance__in=instances, status="completed").values_list(
        "instance__tracking_number", "name", "completed_by__username", "role", "completed_at"
    )
    return set(rows)


def steps_opened(instances: list[Any]) -> Counter[str]:
    from portal.workflow.models import HumanTask

    return Counter(HumanTask.objects.filter(instance__in=instances).values_list("instance__tracking_number", flat=True))


def steps_claimed(instances: list[Any]) -> Counter[str]:
    """Tracking number -> how many of its steps someone claimed at least once."""
    from portal.workflow.models import InstanceEvent

    rows = InstanceEvent.objects.filter(instance__in=instances, type="human_task_claimed")
    pairs = set(rows.values_list("instance__tracking_number", "task_guid"))
    return Counter(number for number, _guid in pairs)


def private_values(instances: list[Any]) -> set[str]:
    from portal.workflow.models import ProcessInstance

    rows = ProcessInstance.objects.filter(pk__in=[i.pk for i in instances])
    return {value for row in rows.values_list("applicant_nik", "applicant_name", "applicant_phone") for value in row}
