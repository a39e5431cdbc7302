"""A notification channel for tests that start workers: every delivery is one JSON line in the file
PATEN_TEST_OUTBOX names, so the test can count what each worker process sent."""

from __future__ import annotations

import json
import os


class RecordingChannel:
    def send(self, *, recipient: str, subject: str, body: str) -> None:
        line = json.dumps({"recipient": recipient, "subject": subject, "body": body}) + "\n"
        fd = os.open(os.environ["PATEN_TEST_OUTBOX"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())  # one write with O_APPEND: lines from several processes never mix
        finally:
            os.close(fd)
