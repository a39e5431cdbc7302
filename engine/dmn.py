"""DMN decision tables as the Camunda modeler (dmn-js) saves them, evaluated over workflow data.

A file is read with the hardened XML parser; each cell, written in FEEL, is translated once into
the engine's restricted Python and run by engine/scripting.py, so a table can do nothing a
gateway condition cannot. DMN 1.1, 1.2 and 1.3 files are read alike; diagram parts are ignored.

The dialect (anything else in a cell is a located problem when the file is read):

* Input expressions and output entries: numbers, "strings" (also 'strings'), true, false, null,
  names, dotted paths (`applicant.age` reads the key "age" of the dict `applicant`), + - * / **,
  = != < <= > >= (== too), and, or, not(x), parentheses, date("2026-01-01") and
  date and time("2026-01-01T08:00:00") (a time without an offset is office time, WITA).
  An empty output entry is null.
* Input entries (unary tests): `-` or empty (any value); a value (equal to it; `null` matches a
  missing value); `< <= > >= = !=` before a value; intervals `[a..b]`, `]a..b[`, `(a..b)`,
  `[a..b)` with either end open or closed; a comma-separated list (any may match); `not(tests)`.
  An expression that uses `?` (or the column's camunda:inputVariable, by default `cellInput`) is
  a test of its own: `? > 5 and ? < 10`; data of that name is hidden in the column's entries.
  An order comparison with null is false, never an error; a path through null (`a.b` where a is
  null) is null, a missing key an error.
* Values are coerced by typeRef (string, integer/long, double/number, boolean, date, dateTime)
  on the way in and out; a blank text is null for all types but string.
* A cell that is not in this FEEL subset but is restricted Python is taken as SpiffWorkflow's own
  tables write it: `'a'`, `== 5`, `in ["a", "b"]`, `not in [1, 2]`, `len(?) > 3`.
* A decision may require others of the same file (informationRequirement): they are evaluated
  first and their results are data under their ids.

Refused when read: literal-expression decisions, expression languages other than FEEL or Python,
and FEEL beyond the above (names with spaces, lists, contexts, ranges of text, functions other
than not(), date() and date and time()) unless the cell also reads as restricted Python.
"""

from __future__ import annotations

import ast
import contextlib
import enum
import functools
import keyword
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree

from . import scripting
from .clock import OFFICE_TZ
from .errors import DefinitionError, EngineError, Problem, ScriptError, Severity
from .xmlsafe import UnsafeXml, parse_xml

MAX_DMN_BYTES = 2 * 1024 * 1024
MAX_CELL_CHARS = 4000
MAX_CELLS = 5000  # entries of all the rules of a file: compiling one takes a fraction of a millisecond
MAX_NESTING = 40  # parentheses and unary operators within one cell
MAX_PATH = 8  # steps of a dotted path (each doubles the translated text)
MAX_CHAIN = 50  # decisions requiring one another, one behind the other
INPUT_VARIABLE = "cellInput"  # Camunda's name for an input entry's value
CAMUNDA_NS = "http://camunda.org/schema/1.0/dmn"
DMN_NAMESPACES = {
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
}


class DmnError(DefinitionError):
    """A DMN file (or a stored decision) that cannot be used; carries the located problems."""


class DmnEvaluationError(EngineError):
    """A decision could not be evaluated on the data given; `element_id` is the decision's id."""

    def __init__(self, message: str, element_id: str = "") -> None:
        self.element_id = element_id
        super().__init__(message)


class HitPolicy(enum.Enum):
    UNIQUE = "UNIQUE"
    FIRST = "FIRST"
    PRIORITY = "PRIORITY"
    ANY = "ANY"
    COLLECT = "COLLECT"
    RULE_ORDER = "RULE ORDER"
    OUTPUT_ORDER = "OUTPUT ORDER"


class Aggregation(enum.Enum):
    SUM = "SUM"
    MIN = "MIN"
    MAX = "MAX"
    COUNT = "COUNT"


# --- FEEL, read into restricted Python --------------------------------------------------------


class _FeelError(ValueError):
    """A cell outside the supported dialect; the message says where reading stopped."""


class _Definite(_FeelError):
    """A cell that is FEEL but wrong (a bad date): no point trying it as Python."""


_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<func>date\s+and\s+time(?=\s*\()|date(?=\s*\())
    |(?P<num>[0-9]+(?:\.[0-9]+)?)
    |(?P<str>"(?:[^"\\]|\\[\s\S])*"|'(?:[^'\\]|\\[\s\S])*')
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op>\.\.|<=|>=|!=|==|\*\*|[-+*/<>=(),.\[\]?])""",
    re.VERBOSE,
)
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|[\s\S])")
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r"}
_LITERALS = {"true": "True", "false": "False", "null": "None"}
_COMPARE = {"=": "==", "==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_FEEL_WORDS = frozenset({"null", "true", "false", "date", "time", "duration", "not", "between"})
_PYTHON_TEST = re.compile(r"\s*(==|!=|<=|>=|<|>|in\b|not\s+in\b|is\b)")


@dataclass(frozen=True)
class _Token:
    kind: str  # space, func, num, str, name, op, end
    text: str
    at: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _FeelError(f"unexpected {text[pos]!r} at character {pos + 1}")
        if match.lastgroup != "space":
            tokens.append(_Token(match.lastgroup or "", match.group(), pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _unquote(literal: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return chr(int(code[1:], 16)) if len(code) == 5 else _ESCAPED.get(code, code)

    return _ESCAPE.sub(one, literal[1:-1])


def _feel_date(function: str, text: str) -> date | datetime:
    """The value of date("...") or date and time("..."); a time without an offset is office time."""
    try:
        if function == "date":
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Definite(f'{function}("{text}") is not a valid {function}') from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=OFFICE_TZ)
    return moment.astimezone(UTC)


def _not_null(constants: Mapping[str, Any], *operands: str) -> str:
    """Guards that make an order comparison with null false (FEEL's null) instead of a TypeError."""
    guards = []
    for operand in operands:
        if operand in constants:
            continue
        try:
            ast.literal_eval(operand)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            guards.append(f"{operand} is not None and ")
    return "".join(guards)


def _compare(left: str, op: str, right: str, constants: Mapping[str, Any]) -> str:
    # `is` for the singletons: 1 == True in Python.
    if op in ("==", "!=") and right in ("None", "True", "False"):
        return f"({left} {'is' if op == '==' else 'is not'} {right})"
    if op in ("==", "!="):
        return f"({left} {op} {right})"
    return f"({_not_null(constants, left, right)}{left} {op} {right})"


class _Feel:
    """Recursive-descent reader of one cell that writes restricted Python as it goes."""

    def __init__(self, text: str, variable: str | None) -> None:
        self.tokens = _tokens(text)
        self.pos = 0
        self.variable = variable  # the input value's name in an input entry; None elsewhere
        self.constants: dict[str, Any] = {}  # date literals, handed to the code as names
        self.depth = 0
        self.used_input = False

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.pos = min(self.pos + 1, len(self.tokens) - 1)
        return token

    def accept(self, text: str) -> bool:
        token = self.peek()
        if token.kind in ("op", "name") and token.text == text:
            self.take()
            return True
        return False

    def fail(self, expected: str) -> _FeelError:
        token = self.peek()
        found = f"{token.text!r} at character {token.at + 1}" if token.kind != "end" else "the end"
        return _FeelError(f"expected {expected}, found {found}")

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise self.fail(repr(text))

    def done(self) -> None:
        if self.peek().kind != "end":
            raise self.fail("the end")

    def nested(self, read: Callable[[], str]) -> str:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise _FeelError(f"nested more than {MAX_NESTING} levels deep")
        try:
            return read()
        finally:
            self.depth -= 1

    # expressions, loosest binding first

    def whole_expression(self) -> str:
        source = self.expression()
        self.done()
        return source

    def expression(self) -> str:
        left = self.conjunction()
        while self.accept("or"):
            left = f"({left} or {self.conjunction()})"
        return left

    def conjunction(self) -> str:
        left = self.comparison()
        while self.accept("and"):
            left = f"({left} and {self.comparison()})"
        return left

    def comparison(self) -> str:
        left = self.additive()
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARE:
            self.take()
            return _compare(left, _COMPARE[token.text], self.additive(), self.constants)
        return left

    def additive(self) -> str:
        left = self.multiplicative()
        while self.peek().kind == "op" and self.peek().text in ("+", "-"):
            left = f"({left} {self.take().text} {self.multiplicative()})"
        return left

    def multiplicative(self) -> str:
        left = self.unary()
        while self.peek().kind == "op" and self.peek().text in ("*", "/"):
            left = f"({left} {self.take().text} {self.unary()})"
        return left

    def unary(self) -> str:
        if self.accept("-"):
            return self.nested(lambda: f"(-{self.unary()})")
        base = self.path()
        if self.accept("**"):
            return self.nested(lambda: f"({base} ** {self.unary()})")
        return base

    def path(self) -> str:
        value = self.primary()
        steps = 0
        while self.accept("."):
            token = self.take()
            if token.kind != "name":
                raise _FeelError(f"expected a name after '.' at character {token.at + 1}")
            steps += 1
            if steps > MAX_PATH:
                raise _Definite(f"a path of more than {MAX_PATH} steps")
            # As in FEEL, a step from null is null (a missing key stays an error: it is most often a typo).
            value = f"(None if {value} is None else {value}[{token.text!r}])"
        return value

    def primary(self) -> str:
        token = self.peek()
        if token.kind == "num":
            return self.take().text
        if token.kind == "str":
            return repr(_unquote(self.take().text))
        if token.kind == "func":
            return self.date_literal(" ".join(self.take().text.split()))
        if token.kind == "op" and token.text in ("(", "?"):
            return self.group_or_input()
        if token.kind == "name" and token.text == "not" and self.peek(1).text == "(":
            self.pos += 2
            inner = self.nested(self.expression)
            self.expect(")")
            return f"(not {inner})"
        if token.kind == "name" and token.text not in ("and", "or", "not"):
            self.take()
            if token.text == self.variable:
                self.used_input = True
            return _LITERALS.get(token.text, token.text)
        raise self.fail("a value")

    def group_or_input(self) -> str:
        if self.take().text == "?":
            if self.variable is None:
                raise _FeelError("'?' stands for the input value and belongs in input entries only")
            self.used_input = True
            return self.variable
        inner = self.nested(self.expression)
        self.expect(")")
        return inner

    def date_literal(self, function: str) -> str:
        self.expect("(")
        token = self.take()
        if token.kind != "str":
            raise _Definite(f'{function}() takes a quoted text, such as {function}("2026-01-01")')
        self.expect(")")
        name = f"dmn_date_{len(self.constants)}"
        self.constants[name] = _feel_date(function, _unquote(token.text))
        return name

    # unary tests (input entries)

    def unary_tests(self) -> str:
        if self.peek().text == "not" and self.peek(1).text == "(":
            start = self.pos
            try:
                self.pos += 2
                inner = self.nested(self.test_list)
                self.expect(")")
                self.done()
                return f"(not {inner})"
            except _FeelError:
                self.pos = start  # not(...) was an expression of a wider test, e.g. not(? > 1) and ? < 9
        tests = self.test_list()
        self.done()
        return tests

    def test_list(self) -> str:
        tests = [self.test()]
        while self.accept(","):
            tests.append(self.test())
        return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"

    def test(self) -> str:
        token, variable = self.peek(), self.variable or INPUT_VARIABLE
        if token.kind == "op" and token.text in _COMPARE:
            self.take()
            return _compare(variable, _COMPARE[token.text], self.additive(), self.constants)
        if token.kind == "op" and token.text in ("[", "]", "("):
            start = self.pos
            try:
                return self.interval(variable)
            except _FeelError:
                if token.text != "(":
                    raise
                self.pos = start  # a parenthesised expression, not an interval
        self.used_input = False
        source = self.expression()
        return source if self.used_input else _compare(variable, "==", source, self.constants)

    def interval(self, variable: str) -> str:
        opening = self.take().text
        low = self.additive()
        self.expect("..")
        high = self.additive()
        closing = self.take()
        if closing.text not in ("]", "[", ")"):
            raise _FeelError(f"expected ']', '[' or ')' to close the interval at character {closing.at + 1}")
        low_op = "<=" if opening == "[" else "<"
        high_op = "<=" if closing.text == "]" else "<"
        return f"({_not_null(self.constants, low, variable, high)}{low} {low_op} {variable} {high_op} {high})"

    def value_list(self) -> list[str]:
        items = [self.expression()]
        while self.accept(","):
            items.append(self.expression())
        self.done()
        return items


@dataclass(frozen=True)
class _Cell:
    """One cell, compiled: either a constant `value` or restricted Python `source` to evaluate."""

    text: str
    source: str = ""
    value: Any = None
    constants: Mapping[str, Any] = field(default_factory=dict)
    names: frozenset[str] = frozenset()  # data the source reads


_KNOWN_NAMES = frozenset(scripting.SAFE_BUILTINS) | frozenset(scripting.HELPERS)
_PLAIN_VALUE = (str, int, float, bool, type(None))


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _free_names(source: str) -> frozenset[str]:
    loaded: set[str] = set()
    stored: set[str] = set()
    for node in ast.walk(ast.parse(source, mode="eval")):
        if isinstance(node, ast.Name):
            (stored if isinstance(node.ctx, ast.Store) else loaded).add(node.id)
    return frozenset(loaded - stored - _KNOWN_NAMES)


def _finished(text: str, source: str, constants: Mapping[str, Any], variable: str) -> _Cell:
    if source in constants:
        return _Cell(text, value=constants[source])
    try:
        value = ast.literal_eval(source)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        value = ...
    if isinstance(value, _PLAIN_VALUE):
        return _Cell(text, value=value)
    names = _free_names(source) - set(constants) - {variable}
    return _Cell(text, source=source, constants=dict(constants), names=names)


def _replace_input(text: str, variable: str) -> str:
    """Python text with each `?` outside quotes replaced by the input value's name."""
    out: list[str] = []
    quote, escaped = "", False
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "?":
            char = f" {variable} "
        out.append(char)
    return "".join(out).strip()


def _refusals(source: str) -> list[str]:
    try:
        return scripting.check_source(source, "eval")
    except (RecursionError, MemoryError):
        return ["nested too deeply"]


def _python_cell(text: str, kind: str, variable: str, feel: _FeelError) -> str:
    """A cell written in restricted Python, as SpiffWorkflow's tables are, or why it is neither."""
    source = text
    if kind == "test":
        if _PYTHON_TEST.match(text):
            source = f"{variable} {text}"
        elif (replaced := _replace_input(text, variable)) != text:
            source = replaced
        else:
            source = f"{variable} == ({text})"
    refusals = _refusals(source)
    if refusals:
        raise _FeelError(f"cannot read {_short(text)}: {feel}; as restricted Python: {refusals[0]}")
    if _free_names(source) & _FEEL_WORDS:  # meant as FEEL, and wrong: Python would only fail later
        raise _FeelError(f"cannot read {_short(text)}: {feel}")
    return source


@functools.lru_cache(maxsize=4096)
def _compile(text: str, kind: str, variable: str = INPUT_VARIABLE) -> _Cell:
    """Compile a cell of `kind` 'input' (expression), 'test' (input entry) or 'output' (output entry)."""
    text = text.strip()
    if len(text) > MAX_CELL_CHARS:
        raise _FeelError(f"longer than {MAX_CELL_CHARS} characters")
    if kind == "test" and text in ("", "-"):
        return _Cell(text, value=True)
    if not text:
        if kind == "output":
            return _Cell(text)
        raise _FeelError("the expression is empty")
    try:
        reader = _Feel(text, variable if kind == "test" else None)
        source = reader.unary_tests() if kind == "test" else reader.whole_expression()
        constants = reader.constants
    except _Definite:
        raise
    except _FeelError as feel:
        source, constants = _python_cell(text, kind, variable, feel), {}
    refusals = _refusals(source)
    if refusals:
        raise _FeelError(f"{_short(text)} is refused: {refusals[0]}")
    return _finished(text, source, constants, variable)


def _allowed_values(text: str) -> tuple[Any, ...]:
    """The literals of an outputValues list, in their order of priority."""
    reader = _Feel(text, None)
    values = []
    for source in reader.value_list():
        cell = _finished(text, source, reader.constants, "")
        if cell.source:
            raise _FeelError(f'output values must be literals, such as "a","b" (not {_short(text)})')
        values.append(cell.value)
    return tuple(values)


# --- type references --------------------------------------------------------------------------


class _Uncoercible(ValueError):
    pass


def _as_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | date):
        return value.isoformat() if isinstance(value, date) else str(value)
    raise _Uncoercible(f"{value!r} is not a string")


def _as_integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _Uncoercible(f"{value!r} is not an integer")


def _as_number(value: Any) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value.strip())
        with contextlib.suppress(ValueError):
            number = float(value.strip())
            if math.isfinite(number):
                return number
    raise _Uncoercible(f"{value!r} is not a number")


def _as_double(value: Any) -> float:
    try:
        return float(_as_number(value))
    except OverflowError:
        raise _Uncoercible(f"{value!r} is too large") from None


def _as_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _Uncoercible(f"{value!r} is not a boolean")


def _as_datetime(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip()) if isinstance(value, str) else value
    except ValueError:
        moment = None
    if not isinstance(moment, datetime):
        raise _Uncoercible(f"{value!r} is not a date and time")
    return (moment.replace(tzinfo=OFFICE_TZ) if moment.utcoffset() is None else moment).astimezone(UTC)


def _as_date(value: Any) -> date:
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise _Uncoercible(f"{value!r} is not a date") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return _as_datetime(value).astimezone(OFFICE_TZ).date()
    except _Uncoercible:
        raise _Uncoercible(f"{value!r} is not a date") from None


_COERCE: dict[str, Callable[[Any], Any]] = {
    "string": _as_string, "integer": _as_integer, "int": _as_integer, "long": _as_integer,
    "double": _as_double, "float": _as_double, "number": _as_number, "decimal": _as_number,
    "boolean": _as_boolean, "date": _as_date, "datetime": _as_datetime, "date and time": _as_datetime,
}  # fmt: skip


def _coerce(value: Any, type_ref: str | None) -> Any:
    """`value` as the column's typeRef says; None stays None, an unknown type leaves it as it is.

    A blank text is null for every type but string: that is what an empty form field sends.
    """
    if value is None or not type_ref:
        return value
    kind = type_ref.strip().lower()
    convert = _COERCE.get(kind)
    if convert is None:
        return value
    if kind != "string" and isinstance(value, str) and not value.strip():
        return None
    return convert(value)


# --- the model --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DmnInput:
    """One input column: the expression read from the data and the name its entries call it by."""

    id: str
    label: str
    expression: str
    type_ref: str | None
    variable: str = INPUT_VARIABLE
    cell: _Cell = field(default=_Cell(""), repr=False, compare=False)

    def title(self, number: int) -> str:
        return repr(self.label or self.expression or f"#{number}")


@dataclass(frozen=True)
class DmnOutput:
    """One output column; `allowed` is its outputValues list, the order PRIORITY and OUTPUT ORDER use."""

    id: str
    name: str
    label: str
    type_ref: str | None
    values: str | None = None  # the outputValues text as written
    allowed: tuple[Any, ...] = ()

    def title(self, number: int) -> str:
        return repr(self.name or self.label or f"#{number}")

    def rank(self, value: Any) -> int:
        for position, candidate in enumerate(self.allowed):
            if candidate == value and isinstance(candidate, bool) == isinstance(value, bool):
                return position
        return len(self.allowed)  # a value outside the list comes after every listed one


@dataclass(frozen=True)
class Rule:
    """One row: an input entry per input, an output entry per output (the cells as written)."""

    id: str
    number: int  # 1-based position in the table
    input_entries: tuple[str, ...]
    output_entries: tuple[str, ...]
    description: str = ""
    tests: tuple[_Cell, ...] = field(default=(), repr=False, compare=False)
    results: tuple[_Cell, ...] = field(default=(), repr=False, compare=False)

    @property
    def title(self) -> str:
        return f"rule {self.number}" + (f" ({self.id})" if self.id else "")


_FAILURES = (
    EngineError, NameError, LookupError, TypeError, ValueError, ArithmeticError, AttributeError, RecursionError,
)  # fmt: skip


def _describe(exc: BaseException) -> str:
    if isinstance(exc, NameError):
        return f"the data has no {exc.name!r}" if exc.name else str(exc)
    if isinstance(exc, KeyError):
        return f"no key {exc.args[0]!r} in the data" if exc.args else "a key is missing from the data"
    if isinstance(exc, ScriptError | _Uncoercible):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


@dataclass(eq=False)
class Decision:
    """One decision table, ready to evaluate; made by parse_dmn or Decision.from_dict."""

    id: str
    name: str
    hit_policy: HitPolicy
    aggregation: Aggregation | None
    inputs: tuple[DmnInput, ...]
    outputs: tuple[DmnOutput, ...]
    rules: tuple[Rule, ...]
    required: tuple[str, ...] = ()
    filename: str = "-"
    peers: Mapping[str, Decision] = field(default_factory=dict, repr=False)  # the file's decisions

    def evaluate(self, data: Mapping[str, Any]) -> Any:
        """The table's answer for `data`, shaped by its hit policy; DmnEvaluationError if there is none."""
        if not isinstance(data, Mapping):
            raise DmnEvaluationError(f"{self._title}: the data must be a dict", self.id)
        return self._evaluate(data, ())

    def matched_rules(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        """Ids of the rules whose entries all hold for `data` (every one, whatever the hit policy)."""
        if not isinstance(data, Mapping):
            raise DmnEvaluationError(f"{self._title}: the data must be a dict", self.id)
        _, columns = self._columns(data, ())
        return tuple(rule.id for rule in self.rules if self._matches(rule, columns))

    def names_read(self) -> set[str]:
        """Data names the cells read (input expressions, entries' values, outputs), required results aside."""
        names: set[str] = set()
        for column in self.inputs:
            names |= column.cell.names
        for rule in self.rules:
            for column, test in zip(self.inputs, rule.tests, strict=False):
                names |= test.names - {column.variable}  # the column's value, not data
            for cell in rule.results:
                names |= cell.names
        return names - set(self.required)

    def to_dict(self) -> dict[str, Any]:
        """The decision as plain JSON data; from_dict rebuilds it without the XML."""
        return {
            "file": self.filename, "id": self.id, "name": self.name, "hit_policy": self.hit_policy.value,
            "aggregation": self.aggregation.value if self.aggregation else None, "required": list(self.required),
            "inputs": [
                {"id": i.id, "label": i.label, "expression": i.expression, "type_ref": i.type_ref,
                 "variable": i.variable}
                for i in self.inputs
            ],
            "outputs": [
                {"id": o.id, "name": o.name, "label": o.label, "type_ref": o.type_ref, "values": o.values}
                for o in self.outputs
            ],
            "rules": [
                {"id": r.id, "description": r.description, "inputs": list(r.input_entries),
                 "outputs": list(r.output_entries)}
                for r in self.rules
            ],
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """Rebuild a decision stored with to_dict; DmnError if the data is not such a decision."""
        filename = str(data.get("file") or "-") if isinstance(data, Mapping) else "-"
        decision, problems = _assemble_stored(data, filename)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if decision is None or errors:
            raise DmnError(errors or [Problem(filename, "-", "the stored decision cannot be used")])
        return decision

    # evaluation

    @property
    def _title(self) -> str:
        return f"decision {self.name!r}"

    def _fail(self, message: str) -> DmnEvaluationError:
        return DmnEvaluationError(f"{self._title}: {message}", self.id)

    def _evaluate(self, data: Mapping[str, Any], chain: tuple[str, ...]) -> Any:
        context, columns = self._columns(data, chain)
        matched: list[Rule] = []
        for rule in self.rules:
            if self._matches(rule, columns):
                matched.append(rule)
                if self.hit_policy is HitPolicy.FIRST:
                    break
        return self._answer(matched, context)

    def _columns(self, data: Mapping[str, Any], chain: tuple[str, ...]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The data with the required decisions' results, and per input column that data with the cell's value."""
        if len(chain) > MAX_CHAIN:
            raise self._fail(f"more than {MAX_CHAIN} decisions require one another")
        context = dict(data)
        for needed in self.required:
            peer = self.peers.get(needed)
            if needed in chain:
                raise self._fail(f"requires decision {needed!r}, which requires it in turn")
            if peer is not None:
                context[needed] = peer._evaluate(data, (*chain, self.id))
            elif needed not in context:
                raise self._fail(f"requires the result of decision {needed!r}, which is not available")
        values = self._input_values(context)
        return context, [{**context, column.variable: value} for column, value in zip(self.inputs, values, strict=True)]

    def _run(self, cell: _Cell, context: dict[str, Any], where: str | Callable[[], str]) -> Any:
        if not cell.source:
            return cell.value
        scope = {**context, **cell.constants} if cell.constants else context
        try:
            return scripting.evaluate(cell.source, scope)
        except _FAILURES as exc:
            raise self._fail(f"{where if isinstance(where, str) else where()}: {_describe(exc)}") from exc

    def _coerced(self, value: Any, type_ref: str | None, where: str) -> Any:
        try:
            return _coerce(value, type_ref)
        except _Uncoercible as exc:
            raise self._fail(f"{where}: {exc} (typeRef {type_ref})") from None

    def _input_values(self, context: dict[str, Any]) -> list[Any]:
        values = []
        for number, column in enumerate(self.inputs, 1):
            where = f"input {column.title(number)}"
            missing = sorted(column.cell.names - context.keys())
            if missing:
                names = ", ".join(repr(n) for n in missing)
                raise self._fail(f"{where} reads {names}, which the data does not have")
            value = self._run(column.cell, context, where)
            values.append(self._coerced(value, column.type_ref, where))
        return values

    def _matches(self, rule: Rule, columns: list[dict[str, Any]]) -> bool:
        for number, (cell, scope) in enumerate(zip(rule.tests, columns, strict=True), 1):

            def where(number: int = number) -> str:
                return f"{rule.title}, input {self.inputs[number - 1].title(number)}"

            if not (self._run(cell, scope, where) if cell.source else cell.value):
                return False
        return True

    def _row(self, rule: Rule, context: dict[str, Any]) -> tuple[Any, ...]:
        row = []
        for number, (cell, output) in enumerate(zip(rule.results, self.outputs, strict=True), 1):
            where = f"{rule.title}, output {output.title(number)}"
            row.append(self._coerced(self._run(cell, context, where), output.type_ref, where))
        return tuple(row)

    def _shape(self, row: tuple[Any, ...]) -> Any:
        return row[0] if len(self.outputs) == 1 else {o.name: v for o, v in zip(self.outputs, row, strict=True)}

    def _rank(self, row: tuple[Any, ...]) -> tuple[int, ...]:
        return tuple(output.rank(value) for output, value in zip(self.outputs, row, strict=True))

    def _answer(self, matched: list[Rule], context: dict[str, Any]) -> Any:
        policy = self.hit_policy
        if policy is HitPolicy.UNIQUE and len(matched) > 1:
            raise self._fail(f"hit policy UNIQUE, but {len(matched)} rules match: {_titles(matched)}")
        rows = [self._row(rule, context) for rule in matched]
        if policy is HitPolicy.ANY and any(row != rows[0] for row in rows):
            raise self._fail(f"hit policy ANY, but the matching rules give different outputs: {_titles(matched)}")
        if policy in (HitPolicy.UNIQUE, HitPolicy.FIRST, HitPolicy.ANY, HitPolicy.PRIORITY):
            if not rows:
                return None
            return self._shape(min(rows, key=self._rank) if policy is HitPolicy.PRIORITY else rows[0])
        if policy is HitPolicy.OUTPUT_ORDER:
            rows.sort(key=self._rank)
        if self.aggregation is not None:
            return self._aggregate(rows, self.aggregation)
        return [self._shape(row) for row in rows]

    def _aggregate(self, rows: list[tuple[Any, ...]], aggregation: Aggregation) -> Any:
        if aggregation is Aggregation.COUNT:
            return len(rows)
        values = [row[0] for row in rows if row[0] is not None]  # null outputs take no part
        try:
            if aggregation is Aggregation.SUM:
                if any(isinstance(v, bool) or not isinstance(v, int | float) for v in values):
                    raise TypeError("not all numbers")
                return sum(values)
            if not values:
                return None
            return min(values) if aggregation is Aggregation.MIN else max(values)
        except TypeError:
            raise self._fail(f"cannot take the {aggregation.value} of {_short(repr(values))}") from None


def _titles(rules: Iterable[Rule]) -> str:
    return ", ".join(rule.title for rule in rules)


@dataclass(eq=False)
class DmnFile:
    """The decisions of one DMN file, by id."""

    filename: str
    decisions: dict[str, Decision]

    def __post_init__(self) -> None:
        for decision in self.decisions.values():
            decision.peers = self.decisions

    def evaluate(self, decision_id: str, data: Mapping[str, Any]) -> Any:
        """Evaluate one decision of the file (and those it requires)."""
        decision = self.decisions.get(decision_id)
        if decision is None:
            raise DmnEvaluationError(f"{self.filename} has no decision {decision_id!r}", decision_id)
        return decision.evaluate(data)

    def to_dict(self) -> dict[str, Any]:
        """The file's decisions as plain JSON data."""
        return {"file": self.filename, "decisions": [d.to_dict() for d in self.decisions.values()]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DmnFile:
        """Rebuild a file stored with to_dict; DmnError if the data is not such a file."""
        filename = str(data.get("file") or "-") if isinstance(data, Mapping) else "-"
        stored = data.get("decisions") if isinstance(data, Mapping) else None
        if not isinstance(stored, list):
            raise DmnError([Problem(filename, "-", "the stored file has no list of decisions")])
        built, problems = _assembled_all(stored, filename, _assemble_stored)
        errors = [p for p in problems if p.severity is Severity.ERROR]
        if errors or built is None:
            raise DmnError(errors or [Problem(filename, "-", "the stored file has no decision")])
        return built


# --- building decisions from plain data (the XML's, or a stored to_dict) ----------------------


class _Malformed(ValueError):
    pass


class _Found:
    """The problems of one decision, each located by the element it is about."""

    def __init__(self, filename: str, decision_id: str) -> None:
        self.filename = filename
        self.decision_id = decision_id
        self.problems: list[Problem] = []

    def add(self, element_id: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(self.filename, element_id or self.decision_id or "-", message, severity))

    @property
    def errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


def _text_of(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Malformed(f"{key!r} must be text")
    return value


def _list_of(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Malformed(f"{key!r} must be a list")
    return value


def _texts(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = _list_of(data, key)
    if not all(isinstance(v, str) for v in values):
        raise _Malformed(f"{key!r} must be a list of texts")
    return tuple(values)


def _is_name(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_") and name not in _KNOWN_NAMES


def _check_type(type_ref: str | None, element_id: str, where: str, found: _Found) -> None:
    if type_ref and type_ref.strip().lower() not in _COERCE:
        found.add(
            element_id, f"{where}: unknown typeRef {type_ref!r}; its values are used as they are", Severity.WARNING
        )


def _policy(data: Mapping[str, Any], found: _Found) -> tuple[HitPolicy | None, Aggregation | None]:
    raw = (_text_of(data, "hit_policy").strip() or "UNIQUE").upper().replace("_", " ")
    try:
        policy: HitPolicy | None = HitPolicy(raw)
    except ValueError:
        known = ", ".join(p.value for p in HitPolicy)
        found.add("", f"unknown hit policy {_short(raw)} (expected one of {known})")
        policy = None
    wanted = _text_of(data, "aggregation").strip().upper()
    if not wanted:
        return policy, None
    if policy is not HitPolicy.COLLECT:
        found.add("", f"aggregation {_short(wanted)} is only allowed with hit policy COLLECT")
        return policy, None
    try:
        return policy, Aggregation(wanted)
    except ValueError:
        found.add("", f"COLLECT aggregation must be SUM, MIN, MAX or COUNT, not {_short(wanted)}")
        return policy, None


def _input(spec: Mapping[str, Any], number: int, found: _Found) -> DmnInput:
    column = DmnInput(
        id=_text_of(spec, "id"),
        label=_text_of(spec, "label"),
        expression=_text_of(spec, "expression").strip(),
        type_ref=_text_of(spec, "type_ref") or None,
        variable=_text_of(spec, "variable") or INPUT_VARIABLE,
    )
    where = f"input {column.title(number)}"
    _check_type(column.type_ref, column.id, where, found)
    if not _is_name(column.variable):
        found.add(column.id, f"{where}: inputVariable {_short(column.variable)} is not a usable name")
        return column
    try:
        return replace(column, cell=_compile(column.expression, "input"))
    except _FeelError as exc:
        found.add(column.id, f"{where}: {exc}")
        return column


def _output(spec: Mapping[str, Any], number: int, found: _Found) -> DmnOutput:
    output = DmnOutput(
        id=_text_of(spec, "id"),
        name=_text_of(spec, "name"),
        label=_text_of(spec, "label"),
        type_ref=_text_of(spec, "type_ref") or None,
        values=_text_of(spec, "values").strip() or None,
    )
    where = f"output {output.title(number)}"
    _check_type(output.type_ref, output.id, where, found)
    if output.values is None:
        return output
    try:
        return replace(output, allowed=_allowed_values(output.values))
    except _FeelError as exc:
        found.add(output.id, f"{where}: {exc}")
        return output


def _rule(
    spec: Mapping[str, Any], number: int, inputs: tuple[DmnInput, ...], outputs: tuple[DmnOutput, ...], found: _Found
) -> Rule:
    rule = Rule(
        id=_text_of(spec, "id"),
        number=number,
        input_entries=_texts(spec, "inputs"),
        output_entries=_texts(spec, "outputs"),
        description=_text_of(spec, "description").strip(),
    )
    if len(rule.input_entries) != len(inputs) or len(rule.output_entries) != len(outputs):
        found.add(
            rule.id,
            f"{rule.title} has {len(rule.input_entries)} input and {len(rule.output_entries)} output entries; "
            f"the table has {len(inputs)} inputs and {len(outputs)} outputs",
        )
        return rule
    tests, results = [], []
    for column_number, (text, column) in enumerate(zip(rule.input_entries, inputs, strict=True), 1):
        try:
            tests.append(_compile(text, "test", column.variable))
        except _FeelError as exc:
            found.add(rule.id, f"{rule.title}, input {column.title(column_number)} (column {column_number}): {exc}")
    for column_number, (text, output) in enumerate(zip(rule.output_entries, outputs, strict=True), 1):
        where = f"{rule.title}, output {output.title(column_number)}"
        try:
            results.append(cell := _compile(text, "output"))
        except _FeelError as exc:
            found.add(rule.id, f"{where}: {exc}")
            continue
        _check_constant(cell, output, rule.id, where, found)
    return replace(rule, tests=tuple(tests), results=tuple(results))


def _check_constant(cell: _Cell, output: DmnOutput, element_id: str, where: str, found: _Found) -> None:
    """A constant output entry must suit the output's type, and should be one of its listed values."""
    if cell.source or cell.value is None:
        return
    try:
        value = _coerce(cell.value, output.type_ref)
    except _Uncoercible as exc:
        found.add(element_id, f"{where}: {exc} (typeRef {output.type_ref})")
        return
    if output.allowed and output.rank(value) == len(output.allowed):
        found.add(element_id, f"{where}: {value!r} is not one of the output's values", Severity.WARNING)


def _check_table(
    policy: HitPolicy | None, aggregation: Aggregation | None, outputs: tuple[DmnOutput, ...], found: _Found
) -> None:
    if not outputs:
        found.add("", "the decision table has no output")
    names = [o.name for o in outputs]
    if len(outputs) > 1 and not all(names):
        found.add("", "each output of a table with several outputs needs a name")
    elif len(set(names)) != len(names):
        found.add("", "two outputs have the same name")
    if policy in (HitPolicy.PRIORITY, HitPolicy.OUTPUT_ORDER) and not any(o.allowed for o in outputs):
        found.add(
            "", f"hit policy {policy.value if policy else ''} orders rules by output values: list them on an output"
        )
    if aggregation in (Aggregation.SUM, Aggregation.MIN, Aggregation.MAX) and len(outputs) != 1:
        found.add("", f"aggregation {aggregation.value if aggregation else ''} needs a table with exactly one output")


def _assemble(data: Mapping[str, Any], filename: str) -> tuple[Decision | None, list[Problem]]:
    """A decision from plain data in the shape of Decision.to_dict, with every problem found."""
    decision_id = _text_of(data, "id").strip()
    found = _Found(filename, decision_id)
    if not decision_id:
        found.add("-", "a decision has no id")
        return None, found.problems
    policy, aggregation = _policy(data, found)
    inputs = tuple(_input(spec, number, found) for number, spec in enumerate(_list_of(data, "inputs"), 1))
    outputs = tuple(_output(spec, number, found) for number, spec in enumerate(_list_of(data, "outputs"), 1))
    rules = tuple(_rule(spec, number, inputs, outputs, found) for number, spec in enumerate(_list_of(data, "rules"), 1))
    _check_table(policy, aggregation, outputs, found)
    required = _texts(data, "required")
    if found.errors or policy is None:
        return None, found.problems
    decision = Decision(
        id=decision_id,
        name=_text_of(data, "name").strip() or decision_id,
        hit_policy=policy,
        aggregation=aggregation,
        inputs=inputs,
        outputs=outputs,
        rules=rules,
        required=required,
        filename=filename,
    )
    return decision, found.problems


def _assemble_stored(data: Any, filename: str) -> tuple[Decision | None, list[Problem]]:
    try:
        return _assemble(data, filename)
    except (_Malformed, AttributeError, TypeError) as exc:
        return None, [Problem(filename, "-", f"the stored decision is malformed: {exc}")]


def _requirement_problems(required: Mapping[str, tuple[str, ...]], filename: str) -> list[Problem]:
    """Requirements naming no decision of the file, and decisions that require one another in a cycle."""
    problems = [
        Problem(filename, decision_id, f"requires decision {_short(needed)}, which this file does not have")
        for decision_id, needs in required.items()
        for needed in needs
        if needed not in required
    ]
    waiting = {decision_id: {n for n in needs if n in required} for decision_id, needs in required.items()}
    users: dict[str, list[str]] = {}
    for decision_id, needs in waiting.items():
        for needed in needs:
            users.setdefault(needed, []).append(decision_id)
    ready = [decision_id for decision_id, needs in waiting.items() if not needs]
    settled: set[str] = set()
    while ready:
        done = ready.pop()
        settled.add(done)
        for user in users.get(done, []):
            waiting[user].discard(done)
            if not waiting[user]:
                ready.append(user)
    looping = sorted(set(required) - settled)
    if looping:
        problems.append(Problem(filename, looping[0], f"decisions {', '.join(looping)} require one another in a cycle"))
    return problems


def _assembled_all(
    specs: list[Any], filename: str, assemble: Callable[[Any, str], tuple[Decision | None, list[Problem]]]
) -> tuple[DmnFile | None, list[Problem]]:
    problems: list[Problem] = []
    decisions: dict[str, Decision] = {}
    for spec in specs:
        decision, found = assemble(spec, filename)
        problems += found
        if decision is not None and decision.id in decisions:
            problems.append(Problem(filename, decision.id, "two decisions have this id"))
        elif decision is not None:
            decisions[decision.id] = decision
    if not any(p.severity is Severity.ERROR for p in problems):
        problems += _requirement_problems({d.id: d.required for d in decisions.values()}, filename)
    if any(p.severity is Severity.ERROR for p in problems) or not decisions:
        return None, problems
    return DmnFile(filename, decisions), problems


# --- reading the XML --------------------------------------------------------------------------


def _known_language(language: str) -> bool:
    return "feel" in language.lower() or "python" in language.lower()


def _text(element: Any, tag: Callable[[str], str]) -> str:
    return "" if element is None else (element.findtext(tag("text")) or "").strip()


def _decision_xml(element: Any, ns: str, filename: str, problems: list[Problem]) -> dict[str, Any] | None:
    """A <decision> as plain data (the shape of Decision.to_dict), or None with the reason in `problems`."""

    def tag(local: str) -> str:
        return f"{{{ns}}}{local}"

    decision_id, name = (element.get("id") or "").strip(), (element.get("name") or "").strip()
    if not decision_id:
        problems.append(Problem(filename, "-", f"decision {_short(name or '(no name)')} has no id"))
        return None
    table = element.find(tag("decisionTable"))
    if table is None:
        literal = element.find(tag("literalExpression")) is not None
        why = "is a literal expression, which is not supported: draw it as a table" if literal else "has no table"
        problems.append(Problem(filename, decision_id, f"decision {_short(name or decision_id)} {why}"))
        return None
    for item in element.iter(tag=etree.Element):
        language = item.get("expressionLanguage")
        if language and not _known_language(language):
            message = f"expression language {_short(language)} is not supported (FEEL or Python only)"
            problems.append(Problem(filename, item.get("id") or decision_id, message))
    requirements = element.iterfind(f"{tag('informationRequirement')}/{tag('requiredDecision')}")
    hrefs = [(r.get("href") or "").strip() for r in requirements]
    return {
        "file": filename, "id": decision_id, "name": name or decision_id,
        "hit_policy": table.get("hitPolicy") or "", "aggregation": table.get("aggregation") or "",
        "required": [h[1:] if h.startswith("#") else h for h in hrefs],
        "inputs": [_input_xml(e, tag) for e in table.iterfind(tag("input"))],
        "outputs": [
            {"id": e.get("id") or "", "name": e.get("name") or "", "label": e.get("label") or "",
             "type_ref": e.get("typeRef") or "", "values": _text(e.find(tag("outputValues")), tag)}
            for e in table.iterfind(tag("output"))
        ],
        "rules": [
            {"id": e.get("id") or "", "description": (e.findtext(tag("description")) or "").strip(),
             "inputs": [_text(x, tag) for x in e.iterfind(tag("inputEntry"))],
             "outputs": [_text(x, tag) for x in e.iterfind(tag("outputEntry"))]}
            for e in table.iterfind(tag("rule"))
        ],
    }  # fmt: skip


def _input_xml(element: Any, tag: Callable[[str], str]) -> dict[str, Any]:
    expression = element.find(tag("inputExpression"))
    return {
        "id": element.get("id") or "",
        "label": element.get("label") or "",
        "expression": _text(expression, tag),
        "type_ref": (expression.get("typeRef") if expression is not None else "") or "",
        "variable": element.get(f"{{{CAMUNDA_NS}}}inputVariable") or "",
    }


def _read_xml(source: bytes, filename: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    try:
        root = parse_xml(source, max_bytes=MAX_DMN_BYTES)
    except UnsafeXml as exc:
        return [], [Problem(filename, "-", "cannot be read: " + " ".join(str(exc).split()))]
    name = etree.QName(root)
    ns = name.namespace or ""
    if name.localname != "definitions" or ns not in DMN_NAMESPACES:
        found = f"<{name.localname}>" + (f" of {ns}" if ns else " without a namespace")
        message = f"not a DMN file: the root element is {_short(found)}, not <definitions> of DMN 1.1, 1.2 or 1.3"
        return [], [Problem(filename, "-", message)]
    language = root.get("expressionLanguage")
    problems: list[Problem] = []
    if language and not _known_language(language):
        problems.append(Problem(filename, "-", f"expression language {_short(language)} is not supported"))
    specs = [s for e in root.iterfind(f"{{{ns}}}decision") if (s := _decision_xml(e, ns, filename, problems))]
    if not specs and not problems:
        problems.append(Problem(filename, "-", "the file has no decision"))
    cells = sum(len(r["inputs"]) + len(r["outputs"]) for s in specs for r in s["rules"])
    if cells > MAX_CELLS:
        return [], [Problem(filename, "-", f"the tables have {cells} entries; at most {MAX_CELLS} are allowed")]
    return specs, problems


def _build(source: bytes, filename: str) -> tuple[DmnFile | None, list[Problem]]:
    try:
        specs, problems = _read_xml(source, filename)
        built, found = _assembled_all(specs, filename, _assemble) if specs else (None, [])
    except (RecursionError, ValueError, TypeError, LookupError, AttributeError) as exc:
        # The last guard: whatever the bytes hold, the caller gets a located problem, not a traceback.
        return None, [Problem(filename, "-", f"could not be read: {type(exc).__name__}: {exc}")]
    return built, problems + found


def parse_dmn(source: bytes, filename: str) -> DmnFile:
    """The decisions of a DMN 1.1/1.2/1.3 file; DmnError with every located error if it cannot be used."""
    built, problems = _build(source, filename)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if built is None or errors:
        raise DmnError(errors or [Problem(filename, "-", "the file has no usable decision")])
    return built


def lint_dmn(source: bytes, filename: str) -> list[Problem]:
    """Every problem of a DMN file, errors and warnings, each located; never raises."""
    return _build(source, filename)[1]
