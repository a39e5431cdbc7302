"""The PATEN workflow engine: plain Python over SpiffWorkflow. No Django, DRF or Celery here.

Public API: lint and load a definition, store/restore it, start an instance, act on human
tasks, list and fire timers, save and restore instance state; the office's working-day calendar;
compare two versions of a diagram or decision table; read uploaded XML safely.
"""

from .clock import current_time, frozen_at
from .compare import Change, Comparison, Element, StepChanges, compare_bpmn, compare_dmn
from .decisions import Library
from .dmn import MAX_DMN_BYTES, DmnError, DmnEvaluationError, lint_dmn, parse_dmn
from .errors import (
    DefinitionError,
    EngineError,
    ExecutionError,
    FieldError,
    FormValidationError,
    HumanTaskNotReady,
    MessageNotAwaited,
    Problem,
    ScriptError,
    Severity,
)
from .forms import Form, FormField
from .lint import errors_of, lint, load_definition, service_code_of
from .migration import MigrationPlan, Refusal, migration_plan
from .parsing import DUTY_APPROVE, DUTY_VERIFY, Decision, Definition, sha256_of
from .roles import LANE_ROLES, Role
from .runtime import (
    FiredTimer,
    HumanTaskInfo,
    Instance,
    InstanceStatus,
    WaitingMessage,
    WaitingTimer,
    clock_starts,
    letter_due,
    step_due,
    validate_start_data,
)
from .sandbox import Deferral, SandboxDeferred
from .sandbox import configure as configure_sandbox
from .sandbox import deferring as sandbox_deferring
from .sandbox import deferring_now as sandbox_deferring_now
from .sandbox import stop as stop_sandbox
from .serialization import SERIALIZER_VERSION, definition_from_dict, definition_to_dict
from .workcal import (
    DEFAULT_OFFICE_HOURS,
    DEFAULT_RAMADAN_HOURS,
    KNOWN_RAMADAN,
    DayHours,
    DayInfo,
    DayOverride,
    OfficeHours,
    RamadanPeriod,
    WorkCalendar,
    current_calendar,
    indonesian_holidays,
    set_default_calendar,
    use_calendar,
)
from .xmlsafe import MAX_BPMN_BYTES, UnsafeXml, parse_xml

__all__ = [
    "DEFAULT_OFFICE_HOURS",
    "DEFAULT_RAMADAN_HOURS",
    "DUTY_APPROVE",
    "DUTY_VERIFY",
    "KNOWN_RAMADAN",
    "LANE_ROLES",
    "MAX_BPMN_BYTES",
    "MAX_DMN_BYTES",
    "SERIALIZER_VERSION",
    "Change",
    "Comparison",
    "DayHours",
    "DayInfo",
    "DayOverride",
    "Decision",
    "Deferral",
    "Definition",
    "DefinitionError",
    "DmnError",
    "DmnEvaluationError",
    "Element",
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
    "Library",
    "MessageNotAwaited",
    "MigrationPlan",
    "OfficeHours",
    "Problem",
    "RamadanPeriod",
    "Refusal",
    "Role",
    "SandboxDeferred",
    "ScriptError",
    "Severity",
    "StepChanges",
    "UnsafeXml",
    "WaitingMessage",
    "WaitingTimer",
    "WorkCalendar",
    "clock_starts",
    "compare_bpmn",
    "compare_dmn",
    "configure_sandbox",
    "current_calendar",
    "current_time",
    "definition_from_dict",
    "definition_to_dict",
    "errors_of",
    "frozen_at",
    "indonesian_holidays",
    "letter_due",
    "lint",
    "lint_dmn",
    "load_definition",
    "migration_plan",
    "parse_dmn",
    "parse_xml",
    "sandbox_deferring",
    "sandbox_deferring_now",
    "service_code_of",
    "set_default_calendar",
    "sha256_of",
    "step_due",
    "stop_sandbox",
    "use_calendar",
    "validate_start_data",
]
