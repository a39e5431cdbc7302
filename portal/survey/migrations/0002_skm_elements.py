"""Load the SKM elements and grade intervals of PermenPAN-RB 14/2017 from skm.yaml (data, editable in the admin)."""

from pathlib import Path
from typing import Any

import yaml
from django.db import migrations

SOURCE = Path(__file__).resolve().parent.parent / "skm.yaml"


def load(apps: Any, schema_editor: Any) -> None:
    element_model = apps.get_model("survey", "SurveyElement")
    grade_model = apps.get_model("survey", "SurveyGrade")
    content = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    for position, item in enumerate(content["elements"], start=1):
        answers = item["answers"]
        element_model.objects.update_or_create(
            code=item["code"],
            defaults={
                "position": position, "name": item["name"], "question": item["question"],
                "answer_1": answers[0], "answer_2": answers[1], "answer_3": answers[2], "answer_4": answers[3],
            },
        )  # fmt: skip
    for item in content["grades"]:
        grade_model.objects.update_or_create(
            grade=item["grade"], defaults={"label": item["label"], "lower": item["lower"], "upper": item["upper"]}
        )


class Migration(migrations.Migration):
    dependencies = [("survey", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
