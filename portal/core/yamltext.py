"""YAML read the safe way, with libyaml's parser where PyYAML was built with it (ten times faster)."""

from __future__ import annotations

from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_load(text: str) -> Any:
    """Plain data (mappings, lists, scalars) from YAML text; raises yaml.YAMLError on bad input."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader, C or Python
