"""The PATEN workflow engine: plain Python over SpiffWorkflow. No Django, DRF or Celery here.

Public API: lint and load a definition, store/restore it, start an instance, act on human
tasks, list and fire timers, save and restore instance state.
"""

from .clock import current_time, frozen_at
from .errors import (
    DefinitionError,
    EngineError,
    ExecutionError,
    FieldError,
    FormValidationError,
    HumanTaskNotReady,
    Problem,
    ScriptError,
    Severity,
)
from .forms import Form, FormField
from .lint import errors_of, lint, load_definition, service_code_of
from .parsing import Definition, sha256_of
from .roles import LANE_ROLES, Role
from .runtime import (
    FiredTimer,
    HumanTaskInfo,
    Instance,
    InstanceStatus,
    WaitingTimer,
    letter_due,
    validate_start_data,
)
from .serialization import SERIALIZER_VERSION, definition_from_dict, definition_to_dict
from .xmlsafe import MAX_BPMN_BYTES

__all__ = [
    "LANE_ROLES",
    "MAX_BPMN_BYTES",
    "SERIALIZER_VERSION",
    "Definition",
    "DefinitionError",
    "EngineError",
    "ExecutionError",
    "FieldError",
    "FiredTimer",
    "Form",
    "FormField",
    "FormValidationError",
    "HumanTaskInfo",
    "HumanTaskNotReady",
    "Instance",
    "InstanceStatus",
    "Problem",
    "Role",
    "ScriptError",
    "Severity",
    "WaitingTimer",
    "current_time",
    "definition_from_dict",
    "definition_to_dict",
    "errors_of",
    "frozen_at",
    "letter_due",
    "lint",
    "load_definition",
    "service_code_of",
    "sha256_of",
    "validate_start_data",
]
