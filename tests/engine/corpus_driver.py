"""Other projects' BPMN files run through plain SpiffWorkflow 3.2.0 and through the engine, compared.

Shared by bench/corpus.py (the whole corpus) and tests/engine/test_corpus.py (a sample). Every
(file, process) runs in a worker process under a time budget, so a diagram that loops forever or
hangs the parser costs one `timeout`, not the run. Both sides get the same automatic inputs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
MIWG = ROOT.parent / "shared" / "external" / "bpmn-miwg"
CORPUS_VARIABLE = "PATEN_BPMN_CORPUS"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"
T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # a Monday, 09:00 at the office
MAX_ROUNDS = 500
RUN_SECONDS = 10.0  # per side and process; the worker is killed `GRACE_SECONDS` later still
GRACE_SECONDS = 10.0
CLOCK_STEPS = (timedelta(hours=1), timedelta(days=1), timedelta(days=30), timedelta(days=400))
NOT_COMPLETED = ("stalled", "error", "crash", "timeout")  # what lint must not accept
WORKER_MEMORY = 4 << 30
SPIFF_DEPTH = 1000  # TaskIterator's default max_depth: get_tasks() looks no deeper into the task tree
DEEP = 10**7


@dataclass(frozen=True)
class Outcome:
    """How one side ended: `cause` is generic enough to group by, `detail` names the elements."""

    outcome: str
    cause: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Record:
    corpus: str
    file: str
    process: str
    plain: Outcome
    ours: Outcome

    def to_dict(self) -> dict[str, Any]:
        return {"corpus": self.corpus, "file": self.file, "process": self.process,
                "plain": self.plain.outcome, "plain_reason": _reason(self.plain),
                "ours": self.ours.outcome, "ours_reason": _reason(self.ours)}  # fmt: skip


def _reason(outcome: Outcome) -> str:
    return outcome.detail or outcome.cause


# --- the corpus ----------------------------------------------------------------------------------


def corpus_directories(explicit: Sequence[str] = ()) -> list[Path]:
    """The directories given, else those of PATEN_BPMN_CORPUS plus the BPMN MIWG checkout; existing ones only."""
    if explicit:
        candidates = [Path(d) for d in explicit]
    else:
        listed = os.environ.get(CORPUS_VARIABLE, "").split(os.pathsep)
        candidates = [Path(d) for d in listed if d.strip()] + [MIWG]
    found: list[Path] = []
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_dir() and resolved not in found:
            found.append(resolved)
    return found


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _xml(source: bytes) -> etree._Element:
    return etree.fromstring(source, _parser())


def _is_bpmn(path: Path) -> bool:
    try:
        for _event, element in etree.iterparse(str(path), events=("start",), resolve_entities=False, no_network=True):
            return bool(element.tag == f"{BPMN}definitions")
    except (etree.XMLSyntaxError, OSError):
        return False
    return False


def bpmn_files(directory: Path) -> list[Path]:
    """Every `.bpmn` file under `directory`, and every `.xml` file whose root is bpmn:definitions."""
    found = set(directory.rglob("*.bpmn")) | {p for p in directory.rglob("*.xml") if _is_bpmn(p)}
    return sorted((p for p in found if p.is_file()), key=lambda p: str(p.relative_to(directory)))


def sample(files: list[Path], limit: int | None) -> list[Path]:
    """`limit` files spread evenly over the sorted list (every tool of the corpus, not the first one's)."""
    if limit is None or limit >= len(files):
        return files
    return [files[i * len(files) // limit] for i in range(limit)]


def executable_processes(source: bytes) -> list[str]:
    """Ids of the top-level processes not marked isExecutable="false"."""
    processes = _xml(source).iterfind(f"{BPMN}process")
    return [str(p.get("id") or "") for p in processes if (p.get("isExecutable") or "").strip().lower() != "false"]


# --- automatic inputs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    default: str | None = None
    options: tuple[str, ...] = ()
    constraints: dict[str, str | None] = field(default_factory=dict)


def _typed(item: Field, text: str) -> Any:
    """The default as a value of the field's type, or None when it is not one (an expression, say)."""
    if item.type == "long":
        return int(text) if re.fullmatch(r"-?[0-9]{1,18}", text.strip()) else None
    if item.type == "boolean":
        return text.strip().lower() == "true" if text.strip().lower() in ("true", "false") else None
    if item.type == "date":
        with contextlib.suppress(ValueError):
            return date.fromisoformat(text).isoformat() if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) else None
        return None
    if item.type == "enum":
        return text if text in item.options else None
    return text


def _bound(item: Field, name: str) -> int | None:
    raw = item.constraints.get(name)
    return int(raw) if raw is not None and re.fullmatch(r"-?[0-9]{1,9}", raw.strip()) else None


def automatic_value(item: Field) -> Any:
    """Its default if usable, else: enum its first option, boolean True, long 1, date 2026-01-05, text "x"."""
    if item.default not in (None, ""):
        value = _typed(item, str(item.default))
        if value is not None:
            return value
    if item.type == "enum":
        return item.options[0] if item.options else "x"
    if item.type == "boolean":
        return True
    if item.type == "long":
        low, high = _bound(item, "min"), _bound(item, "max")
        value = max(1, low) if low is not None else 1
        return min(value, high) if high is not None else value
    if item.type == "date":
        return "2026-01-05"
    return "x" * max(1, _bound(item, "minlength") or 1)


def automatic_data(fields: Iterable[Field]) -> dict[str, Any]:
    """A value for every field a person may fill in (read-only fields are left to their defaults)."""
    return {f.id: automatic_value(f) for f in fields if "readonly" not in f.constraints}


def fields_of_form(form: Any) -> list[Field]:
    """The fields of an `engine.Form`."""
    return [Field(f.id, f.type, f.default, tuple(o.id for o in f.options), dict(f.constraints)) for f in form.fields]


def fields_of_camunda(form: Any) -> list[Field]:
    """The fields of SpiffWorkflow's Camunda user-task form."""
    fields = []
    for f in getattr(form, "fields", None) or []:
        options = tuple(str(o.id) for o in getattr(f, "options", []))
        constraints = {str(v.name): v.config for v in f.validation}
        fields.append(Field(str(f.id), str(f.type or "string"), f.default_value, options, constraints))
    return fields


def _fields_of_xml(node: etree._Element) -> list[Field]:
    fields = []
    for xml_field in node.iterfind(f".//{CAMUNDA}formData/{CAMUNDA}formField"):
        options = tuple(str(v.get("id") or "") for v in xml_field.iterfind(f"{CAMUNDA}value"))
        constraints = {str(c.get("name")): c.get("config") for c in xml_field.iterfind(f"{CAMUNDA}validation/*")}
        fields.append(Field(str(xml_field.get("id") or ""), str(xml_field.get("type") or "string"),
                            xml_field.get("defaultValue"), options, constraints))  # fmt: skip
    return fields


def xml_forms(root: etree._Element, process_id: str | None) -> tuple[list[Field], dict[str, list[Field]]]:
    """The process's start form (its last top-level start event's, as the engine reads it) and the user tasks' forms."""
    start: list[Field] = []
    for process in root.iterfind(f"{BPMN}process"):
        if process.get("id") == process_id:
            for node in process.iterfind(f"{BPMN}startEvent"):
                start = _fields_of_xml(node)
    tasks = {str(node.get("id")): _fields_of_xml(node) for node in root.iter(f"{BPMN}userTask")}
    return start, tasks


# --- one run -------------------------------------------------------------------------------------


class OutOfTime(BaseException):
    """Raised by the alarm in a run over budget; a BaseException, so no `except Exception` swallows it."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def ring(_signum: int, _frame: FrameType | None) -> None:
        raise OutOfTime

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _generic(text: str) -> str:
    """A message with its names, ids and numbers blanked, to group like failures together."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "'…'", text)
    text = re.sub(r"\b(?=[\w.:-]*[0-9_])[\w.:-]+", "…", text)
    return text[:160]


def _stable(text: str) -> str:
    """Without the memory addresses lxml puts in its reprs, so two runs print the same."""
    return re.sub(r" at 0x[0-9a-fA-F]+", "", text)


def _first_line(exc: BaseException) -> str:
    lines = _stable(str(exc)).strip().splitlines()
    return (lines[0] if lines else "")[:300]


def _failure(outcome: str, exc: BaseException) -> Outcome:
    name = type(exc).__name__
    detail = f"{name}: {_first_line(exc)}"
    if outcome == "crash":
        frames = traceback.extract_tb(exc.__traceback__)
        if frames:
            last = frames[-1]
            detail += f" (at {Path(last.filename).name}:{last.lineno} in {last.name})"
    return Outcome(outcome, f"{name}: {_generic(_first_line(exc))}", detail)


def stalled(workflow: Any, note: str = "") -> Outcome:
    """What a workflow that cannot go on waits at: tasks waiting, ready or started, with their event kinds."""
    from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
    from SpiffWorkflow.util.task import TaskState

    where: dict[str, set[str]] = {}
    for task in workflow.get_tasks(state=TaskState.WAITING | TaskState.READY | TaskState.STARTED):
        spec = task.task_spec
        if isinstance(spec, SubWorkflowTask) or getattr(spec, "bpmn_id", None) is None:
            continue
        kind = type(spec).__name__
        definition = getattr(spec, "event_definition", None)
        if definition is not None:
            kind += f"[{type(definition).__name__}]"
        where.setdefault(f"{TaskState.get_name(task.state).lower()} {kind}", set()).add(str(spec.bpmn_id))
    if (
        not note
        and not workflow.get_tasks(state=TaskState.READY, manual=True)
        and workflow.get_tasks(state=TaskState.READY, manual=True, max_depth=DEEP)
    ):
        note = f"a ready task lies deeper than the {SPIFF_DEPTH} levels get_tasks() searches (a long loop)"
    cause = "; ".join(sorted(where)) or "nothing waits, yet the process has not ended"
    detail = "; ".join(f"{kind} at {', '.join(sorted(ids))}" for kind, ids in sorted(where.items()))
    return Outcome("stalled", f"{note}: {cause}" if note else cause, f"{note}: {detail}" if note else detail or cause)


def _plain_specs(source: bytes, path: Path, process_id: str | None) -> tuple[Any, Any, str]:
    """Parsed by CamundaParser, else BpmnDmnParser, else BpmnParser, the directory's DMN files added;
    with a note saying which parser took it when CamundaParser (what the engine uses) did not."""
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.camunda.parser import CamundaParser
    from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser

    first: Exception | None = None
    for parser_class in (CamundaParser, BpmnDmnParser, BpmnParser):
        try:
            parser = parser_class()
            parser.add_bpmn_xml(_xml(source), filename=path.name)
            for dmn in sorted(path.parent.glob("*.dmn")) if hasattr(parser, "add_dmn_xml") else []:
                with contextlib.suppress(Exception):
                    parser.add_dmn_xml(_xml(dmn.read_bytes()), filename=dmn.name)
            spec, subprocess_specs = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
        except Exception as exc:  # noqa: BLE001 - the next parser may take it
            first = first or exc
            continue
        note = (
            "" if first is None else f"parsed by {parser_class.__name__}; CamundaParser: {_failure('', first).detail}"
        )
        return spec, subprocess_specs, note
    assert first is not None
    raise first


def run_plain(source: bytes, path: Path, process_id: str | None, seconds: float = RUN_SECONDS) -> Outcome:
    """Plain SpiffWorkflow 3.2.0 with its own script engine, the clock moved by time-machine."""
    try:
        with time_limit(seconds):
            try:
                spec, subprocess_specs, note = _plain_specs(source, path, process_id)
            except Exception as exc:  # noqa: BLE001 - every failure is an outcome
                return _failure("parse_error", exc)
            outcome = _drive_plain(spec, subprocess_specs, xml_forms(_xml(source), process_id))
            if note:
                outcome = Outcome(outcome.outcome, outcome.cause, f"{outcome.detail} [{note}]".strip())
            return outcome
    except OutOfTime:
        return Outcome("timeout", f"still running after {seconds:g} s")
    except Exception as exc:  # noqa: BLE001
        return _failure("error", exc)


def _plain_steps(workflow: Any) -> None:
    workflow.do_engine_steps()
    workflow.refresh_timers()
    workflow.do_engine_steps()


def _signature(workflow: Any) -> tuple[Any, ...]:
    return workflow.completed, tuple((t.id, t.state) for t in workflow.get_tasks())


def _waits_for_timer(workflow: Any) -> bool:
    from SpiffWorkflow.util.task import TaskState

    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        parts = [definition, *(getattr(definition, "event_definitions", None) or [])]
        if any("Timer" in type(part).__name__ or "TimeDate" in type(part).__name__ for part in parts):
            return True
    return False


def _drive_plain(spec: Any, subprocess_specs: Any, forms: tuple[list[Field], dict[str, list[Field]]]) -> Outcome:
    import time_machine
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    start, task_forms = forms
    with time_machine.travel(T0, tick=False) as traveller:
        workflow = BpmnWorkflow(spec, subprocess_specs)
        workflow.task_tree.data.update(automatic_data(start))
        for _round in range(MAX_ROUNDS):
            _plain_steps(workflow)
            if workflow.completed:
                return Outcome("completed")
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if ready:
                for task in ready:
                    if task.state == TaskState.READY:
                        fields = fields_of_camunda(getattr(task.task_spec, "form", None))
                        task.data.update(automatic_data(fields or task_forms.get(str(task.task_spec.bpmn_id), [])))
                        task.run()
                traveller.shift(timedelta(minutes=1))
                continue
            if _deliver_plain(workflow):
                continue
            if not _waits_for_timer(workflow):
                return stalled(workflow)
            if not _travel(workflow, traveller.shift):
                return stalled(workflow, "timers did not fire within 400 days")
        return Outcome("timeout", f"not ended after {MAX_ROUNDS} rounds")


def _deliver_plain(workflow: Any) -> bool:
    """Every message the workflow waits for, sent in once with no content (as the engine's side is);
    whether any was caught."""
    from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
    from SpiffWorkflow.bpmn.util import BpmnEvent
    from SpiffWorkflow.util.task import TaskState

    caught = False
    for task in workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        for part in [definition, *(getattr(definition, "event_definitions", None) or [])]:
            if isinstance(part, MessageEventDefinition) and task.state == TaskState.WAITING:
                # Camunda's message kind reads its content from a wrapper; the default one takes it as is.
                payload = {"payload": {}, "result_var": None} if hasattr(part, "result_var") else {}
                workflow.catch(BpmnEvent(part, payload=payload))
                caught = True
    return caught


def _travel(workflow: Any, shift: Callable[[timedelta], None]) -> bool:
    """Move the clock by ever larger steps until something happens; False if nothing ever does."""
    for step in CLOCK_STEPS:
        before = _signature(workflow)
        shift(step)
        _plain_steps(workflow)
        if _signature(workflow) != before:
            return True
    return False


def library_of(directory: Path) -> Any:
    """The decision tables of the `.dmn` files beside a diagram (each file read alone: a bad one is
    left out), as plain SpiffWorkflow's DMN parser gets them."""
    import engine

    decisions: dict[str, Any] = {}
    for path in sorted(directory.glob("*.dmn")):
        with contextlib.suppress(engine.DmnError, OSError):
            library = engine.Library.from_files([(path.name, path.read_bytes())])
            decisions.update({k: v for k, v in library.decisions.items() if k not in decisions})
    return engine.Library(decisions)


def run_ours(
    source: bytes, filename: str, process_id: str | None, seconds: float = RUN_SECONDS, library: Any = None
) -> Outcome:
    """The engine: lint (naming rules set aside), load, start, act, fire timers, save and restore each round.

    A run that does not complete is run again without saving and restoring; when that one completes,
    the cause says so (the stored state loses something)."""
    outcome = _attempt_ours(source, filename, process_id, seconds, save_restore=True, library=library)
    if outcome.outcome not in NOT_COMPLETED:
        return outcome
    again = _attempt_ours(source, filename, process_id, seconds, save_restore=False, library=library)
    if again.outcome != "completed":
        return outcome
    note = "completes without save/restore"
    return Outcome(outcome.outcome, f"{note}; {outcome.cause}", f"{note}; {outcome.detail or outcome.cause}")


def _attempt_ours(
    source: bytes, filename: str, process_id: str | None, seconds: float, *, save_restore: bool, library: Any
) -> Outcome:
    import engine

    try:
        with time_limit(seconds):
            return _drive_ours(engine, source, filename, process_id, save_restore, library)
    except OutOfTime:
        engine.stop_sandbox()  # it may have been stopped mid-exchange: start the next run on a clean one
        return Outcome("timeout", f"still running after {seconds:g} s")
    except engine.EngineError as exc:
        return _failure("error", exc)
    except Exception as exc:  # noqa: BLE001 - anything else is a bug of ours
        return _failure("crash", exc)


def _refused(errors: list[Any], source: bytes, process_id: str | None) -> Outcome:
    """Lint's verdict, located: lint checks every executable process of the file, so the errors may
    all lie in other processes than the one run (which plain SpiffWorkflow never parses)."""
    own: set[str] = set()
    with contextlib.suppress(etree.XMLSyntaxError, ValueError):
        for process in _xml(source).iterfind(f"{BPMN}process"):
            if process.get("id") == process_id:
                own = {str(node.get("id")) for node in process.iter() if isinstance(node.tag, str) and node.get("id")}
    mine = [p for p in errors if p.element_id in own or p.element_id == "-"]
    first = (mine or errors)[0]
    where = "" if mine else "only in other processes of the file: "
    detail = _stable("; ".join(f"{p.element_id}: {p.message}" for p in (mine or errors)[:3]))
    return Outcome("refused", where + _generic(first.message), (where + detail)[:600])


def _drive_ours(
    engine: Any, source: bytes, filename: str, process_id: str | None, save_restore: bool, library: Any
) -> Outcome:
    errors = engine.errors_of(engine.lint(source, filename, code=process_id, naming=False, library=library))
    if errors:
        return _refused(errors, source, process_id)
    definition = engine.load_definition(source, filename, code=process_id, naming=False, library=library)
    now = T0
    data = engine.validate_start_data(definition, automatic_data(fields_of_form(definition.start_form)))
    instance = engine.Instance.start(definition, data, now=now)
    for _round in range(MAX_ROUNDS):
        if save_restore:  # what the portal does between commands: store the state as JSON, load it back
            instance = engine.Instance.restore(definition, json.loads(json.dumps(instance.dump())))
        if instance.status is engine.InstanceStatus.COMPLETED:
            return Outcome("completed")
        ready = instance.ready_human_tasks()
        if ready:
            for human in ready:
                if any(h.guid == human.guid for h in instance.ready_human_tasks()):
                    now += timedelta(minutes=1)
                    instance.complete_human_task(human.guid, automatic_data(fields_of_form(human.form)), now=now)
            continue
        messages = sorted({m.name for m in instance.waiting_messages()})
        if messages:  # each message waited for arrives, with no content (as on the plain side)
            now += timedelta(minutes=1)
            for name in messages:
                with contextlib.suppress(engine.MessageNotAwaited):  # an earlier one may have moved on
                    instance.deliver_message(name, {}, now=now)
            continue
        due = [t.due_at for t in instance.waiting_timers() if t.due_at is not None]
        if not due:
            return stalled(instance.workflow)
        now = max(now, min(due))
        if not instance.fire_due_timers(now=now):
            return stalled(instance.workflow, "a due timer did not fire")
    return Outcome("timeout", f"not ended after {MAX_ROUNDS} rounds")


# --- worker processes ----------------------------------------------------------------------------


def worker_main() -> int:
    """Read jobs (JSON lines) on stdin, answer on stdout; scripts' own prints go nowhere."""
    import resource

    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    import engine  # noqa: F401 - loaded before the first job's clock starts

    def say(message: dict[str, Any]) -> None:
        channel.write(json.dumps(message) + "\n")

    for line in sys.stdin:
        job = json.loads(line)
        path, process, seconds = Path(job["path"]), job["process"], float(job["seconds"])
        source = path.read_bytes()
        for side in job["sides"]:
            say({"start": side})
            if side == "plain":
                outcome = run_plain(source, path, process, seconds)
            else:
                outcome = run_ours(source, path.name, process, seconds, library_of(path.parent))
            say({"side": side, "outcome": asdict(outcome)})
        say({"done": True})
    return 0


@dataclass
class _Job:
    corpus: Path
    path: Path
    process: str | None
    sides: list[str] = field(default_factory=lambda: ["plain", "ours"])
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def record(self) -> Record:
        return Record(str(self.corpus), str(self.path.relative_to(self.corpus)), self.process or "",
                      self.outcomes["plain"], self.outcomes["ours"])  # fmt: skip


class _Worker:
    def __init__(self) -> None:
        command = [sys.executable, "-m", "tests.engine.corpus_driver", "--worker"]
        self.proc = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self.fd = self.proc.stdout.fileno()
        self.buffer = b""
        self.job: _Job | None = None
        self.side = ""
        self.deadline = 0.0

    def send(self, job: _Job, seconds: float) -> None:
        self.job, self.side = job, job.sides[0]
        self.deadline = time.monotonic() + seconds + GRACE_SECONDS + 30  # the first job waits for imports too
        message = {"path": str(job.path), "process": job.process, "sides": job.sides, "seconds": seconds}
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        self.proc.stdin.flush()

    def messages(self) -> list[dict[str, Any]] | None:
        """The complete lines read now, or None when the worker has ended."""
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            return None
        self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]


class _Pool:
    def __init__(self, jobs: list[_Job], workers: int, seconds: float, progress: Callable[[int], None]) -> None:
        self.queue = deque(jobs)
        self.seconds = seconds
        self.progress = progress
        self.idle = [_Worker() for _ in range(max(1, min(workers, len(jobs))))]
        self.busy: dict[int, _Worker] = {}
        self.finished: list[_Job] = []

    def run(self) -> list[_Job]:
        try:
            while self.queue or self.busy:
                while self.queue and self.idle:
                    worker = self.idle.pop()
                    worker.send(self.queue.popleft(), self.seconds)
                    self.busy[worker.fd] = worker
                wait = max(0.05, min(w.deadline for w in self.busy.values()) - time.monotonic())
                readable, _, _ = select.select(list(self.busy), [], [], min(wait, 5.0))
                for fd in readable:
                    self._read(self.busy[fd])
                for worker in [w for w in self.busy.values() if time.monotonic() > w.deadline]:
                    self._lost(worker, Outcome("timeout", f"the worker was killed after {self.seconds:g} s + grace"))
        finally:
            for worker in [*self.idle, *self.busy.values()]:
                worker.stop()
        return self.finished

    def _read(self, worker: _Worker) -> None:
        messages = worker.messages()
        if messages is None:
            code = worker.proc.wait()
            kind = "crash" if worker.side == "ours" else "error"
            self._lost(worker, Outcome(kind, "the worker process died", f"the worker process died (status {code})"))
            return
        job = worker.job
        assert job is not None
        for message in messages:
            if "start" in message:
                # ours may run twice (again without save/restore when the first run does not complete)
                budget = self.seconds * (2 if message["start"] == "ours" else 1) + GRACE_SECONDS
                worker.side, worker.deadline = message["start"], time.monotonic() + budget
            elif "side" in message:
                job.outcomes[message["side"]] = Outcome(**message["outcome"])
            elif message.get("done"):
                self._finish(worker, job)
                self.idle.append(worker)

    def _finish(self, worker: _Worker, job: _Job) -> None:
        del self.busy[worker.fd]
        worker.job = None
        self.finished.append(job)
        self.progress(len(self.finished))

    def _lost(self, worker: _Worker, outcome: Outcome) -> None:
        """The worker hung or died during `worker.side`: that side gets `outcome`, the rest runs elsewhere."""
        job = worker.job
        assert job is not None
        del self.busy[worker.fd]
        worker.stop()
        self.idle.append(_Worker())
        job.outcomes[worker.side] = outcome
        job.sides = [s for s in job.sides if s not in job.outcomes]
        if job.sides:
            self.queue.appendleft(job)
        else:
            self.finished.append(job)
            self.progress(len(self.finished))


def jobs_of(directory: Path, files: Iterable[Path]) -> list[_Job]:
    """One job per executable process of each file (one with no process when the XML does not parse)."""
    jobs: list[_Job] = []
    for path in files:
        try:
            processes: list[str | None] = list(executable_processes(path.read_bytes()))
        except (etree.XMLSyntaxError, OSError, ValueError):
            processes = [None]
        jobs.extend(_Job(directory, path, process) for process in processes)
    return jobs


def run_corpus(
    selection: dict[Path, list[Path]],
    *,
    workers: int | None = None,
    seconds: float = RUN_SECONDS,
    progress: Callable[[int, int], None] | None = None,
) -> list[Record]:
    """Run every executable process of the selected files (corpus directory -> files) both ways."""
    jobs = [job for directory, files in selection.items() for job in jobs_of(directory, files)]
    if not jobs:
        return []
    count = workers or len(os.sched_getaffinity(0))
    pool = _Pool(jobs, count, seconds, lambda done: progress(done, len(jobs)) if progress else None)
    order = {id(job): n for n, job in enumerate(jobs)}
    return [job.record() for job in sorted(pool.run(), key=lambda job: order[id(job)])]


# --- the verdict ---------------------------------------------------------------------------------


def accepted_not_completed(records: Iterable[Record]) -> list[Record]:
    """Processes lint accepted that did not run to an end event in the engine."""
    return [r for r in records if r.ours.outcome in NOT_COMPLETED]


def plain_only(records: Iterable[Record]) -> list[Record]:
    """Processes plain SpiffWorkflow runs to an end event and the engine does not."""
    return [r for r in records if r.plain.outcome == "completed" and r.ours.outcome != "completed"]


def summary(records: list[Record]) -> dict[str, Any]:
    plain, ours = Counter(r.plain.outcome for r in records), Counter(r.ours.outcome for r in records)
    return {
        "files_run": len({(r.corpus, r.file) for r in records}),  # those with an executable process
        "processes": len(records),
        "plain": dict(sorted(plain.items())),
        "ours": dict(sorted(ours.items())),
        "completed_plain": plain["completed"],
        "completed_ours": ours["completed"],
        "lint_accepted": len(records) - ours["refused"],
        "accepted_not_completed": len(accepted_not_completed(records)),
        "plain_only_completed": len(plain_only(records)),
        "ours_only_completed": sum(r.ours.outcome == "completed" != r.plain.outcome for r in records),
        "crashes": ours["crash"],
    }


def by_cause(records: Iterable[Record]) -> list[dict[str, Any]]:
    """Our outcomes grouped by (outcome, cause), most frequent first, each with one example."""
    groups: dict[tuple[str, str], list[Record]] = {}
    for record in records:
        groups.setdefault((record.ours.outcome, record.ours.cause), []).append(record)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [{"ours": outcome, "cause": cause, "count": len(group),
             "plain": dict(Counter(r.plain.outcome for r in group).most_common()),
             "example": f"{group[0].file} ({group[0].process})", "detail": _reason(group[0].ours)}
            for (outcome, cause), group in ordered]  # fmt: skip


if __name__ == "__main__" and sys.argv[1:] == ["--worker"]:
    sys.exit(worker_main())
