"""The data a diagram's code may keep: JSON with dates, checked before anything is stored.

Workflow data is saved as JSON, so what a script leaves behind must be JSON too (plus the date,
datetime and timedelta values SpiffWorkflow's serializer knows). A set, a generator, NaN, an
integer too large for a JSON reader, or anything else is refused here with the name of the
variable that holds it, instead of failing later when the state is saved. The same encoding
carries results back from the sandbox process (engine/sandbox.py): JSON, never pickle, so a
compromised child can hand back data and nothing else.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta
from typing import Any

# Integers a JSON reader in a browser still holds exactly (2**53 - 1); larger ones are refused.
MAX_INT = 2**53 - 1
MAX_DEPTH = 50
TAG = "$t"  # the key that marks a tagged value; a plain dict with this key is escaped


class UnsafeValue(ValueError):
    """A value that cannot be stored; `path` says where it is (a variable name, then keys)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def _kind(value: Any) -> str:
    if isinstance(value, set | frozenset):
        return "a set (use a list)"
    if hasattr(value, "__next__") or hasattr(value, "send"):
        return "a generator or iterator (use a list)"
    return f"a value of type {type(value).__name__}"


def encode(value: Any, path: str = "value", depth: int = 0, *, kept: bool = True) -> Any:
    """`value` as plain JSON data with tagged dates; UnsafeValue if any part cannot be stored.

    `kept=False` is for an expression's value, used and not stored: any integer may pass.
    """
    if depth > MAX_DEPTH:
        raise UnsafeValue(path, f"nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        if kept and abs(value) > MAX_INT:
            raise UnsafeValue(path, f"an integer beyond ±{MAX_INT} cannot be stored")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnsafeValue(path, f"{value} is not a number that can be stored")
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise UnsafeValue(path, "a date-time without a time zone cannot be stored (use now())")
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, timedelta):
        return {TAG: "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, list | tuple):
        items = [encode(item, f"{path}[{i}]", depth + 1, kept=kept) for i, item in enumerate(value)]
        return {TAG: "tuple", "v": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise UnsafeValue(path, f"a key of type {type(key).__name__} cannot be stored (keys are text)")
            out[key] = encode(item, f"{path}[{key!r}]", depth + 1, kept=kept)
        return {TAG: "dict", "v": out} if TAG in out else out
    raise UnsafeValue(path, f"{_kind(value)} cannot be stored")


def decode(value: Any) -> Any:
    """The inverse of encode."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(TAG)
    if tag is None:
        return {key: decode(item) for key, item in value.items()}
    inner = value.get("v")
    if tag == "datetime":
        return datetime.fromisoformat(str(inner))
    if tag == "date":
        return date.fromisoformat(str(inner))
    if tag == "timedelta" and isinstance(inner, list) and len(inner) == 3:
        return timedelta(days=inner[0], seconds=inner[1], microseconds=inner[2])
    if tag == "tuple" and isinstance(inner, list):
        return tuple(decode(item) for item in inner)
    if tag == "dict" and isinstance(inner, dict):
        return {key: decode(item) for key, item in inner.items()}
    raise ValueError(f"unknown tagged value {tag!r}")


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def loads(raw: bytes) -> Any:
    return json.loads(raw)


def checked(variables: dict[str, Any]) -> dict[str, Any]:
    """Raise UnsafeValue for the first variable that cannot be stored; return them unchanged otherwise."""
    for name, value in variables.items():
        encode(value, name)
    return variables
