"""A notification channel for tests that start workers: every delivery is one JSON line in the file
PATEN_TEST_OUTBOX names, so the test can count what each worker process sent. Like a gateway that
takes an idempotency key, it delivers a key it already delivered no second time (a worker killed
between the gateway's answer and its commit asks again)."""

from __future__ import annotations

import json
import os


class RecordingChannel:
    def send(self, *, recipient: str, subject: str, body: str, key: str) -> None:
        path = os.environ["PATEN_TEST_OUTBOX"]
        if os.path.exists(path):  # the row is locked while it is sent: no two attempts of one key at once
            with open(path, encoding="utf-8") as sent:
                if any(json.loads(line).get("key") == key for line in sent if line.strip()):
                    return
        line = json.dumps({"recipient": recipient, "subject": subject, "body": body, "key": key}) + "\n"
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())  # one write with O_APPEND: lines from several processes never mix
        finally:
            os.close(fd)
