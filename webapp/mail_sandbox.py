"""The sandbox in which mail templates (organizers may edit them) are rendered.

Jinja's immutable sandbox keeps a template away from Python's internals; this one also bounds
what a template can build, value by value, so no intermediate value grows past a limit:

- every text has at most ``MAX_TEXT`` characters and every list ``MAX_ITEMS`` items, whether it
  comes from an operator (``+ - * / // %``, the ``~`` concatenation, which Jinja compiles to a
  join that no operator hook sees), a filter, a method, a ``{% set %}`` block or a macro;
- what would be too big is refused before it is built where the size is known in advance
  (``*``, ``center``, ``indent``, ``replace``, ``join``, ``batch``, ``slice``, ``%``/``format``
  widths), and measured right after otherwise;
- a render may produce at most ``MAX_WORK`` characters in all (intermediate values included),
  numbers have at most ``MAX_INT_BITS`` bits, ``range()`` at most ``MAX_RANGE`` items, ``**`` is
  refused, and methods of texts, lists and mappings are limited to a few that cannot grow;
- the rendered text has at most ``MAX_TEXT`` characters.

What this cannot count (time spent in nested loops, memory of the interpreter) is bounded by the
process it runs in: ``webapp.mail_render`` runs this module as a child process (``python -I
mail_sandbox.py``) with a CPU budget per render and an address-space limit. The child imports
nothing of the application.
"""

from __future__ import annotations

import contextvars
import functools
import json
import re
import resource
import signal
import sys
from collections.abc import Callable
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

#: The most characters of a rendered subject or body, and of any text built on the way.
MAX_TEXT = 50_000
#: The most items of any list built on the way.
MAX_ITEMS = 10_000
#: The most characters one render may build, all intermediate values included.
MAX_WORK = 2_000_000
#: The largest number (in bits) a template may compute.
MAX_INT_BITS = 256
#: The most items a ``range()`` in an edited template may have.
MAX_RANGE = 100
#: The widest field a ``%`` or ``format`` specification may ask for.
MAX_WIDTH = 1000

_STR_METHODS = """lower upper title capitalize casefold swapcase strip lstrip rstrip startswith
endswith split rsplit splitlines count find rfind partition rpartition removeprefix removesuffix
isalnum isalpha isdigit isnumeric isspace islower isupper istitle replace"""
_SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset(_STR_METHODS.split()),
    dict: frozenset({"get", "items", "keys", "values"}),
    list: frozenset({"index", "count"}),
    tuple: frozenset({"index", "count"}),
}
_FORMAT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_REMOVED_FILTERS = ("pprint", "tojson", "xmlattr", "urlize", "random", "filesizeformat")

_work: contextvars.ContextVar[list[int]] = contextvars.ContextVar("mail_sandbox_work")


def _refuse(message: str) -> None:
    raise SecurityError(message)


def _spend(size: int) -> None:
    counter = _work.get(None)
    if counter is not None:
        counter[0] += size
        if counter[0] > MAX_WORK:
            _refuse(f"the template builds more than {MAX_WORK:,} characters in all")


def checked(value: Any) -> Any:
    """``value`` if it is within the limits; refused otherwise."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            _refuse(f"the template makes a text longer than {MAX_TEXT:,} characters")
        _spend(len(value))
    elif isinstance(value, list | tuple | dict | set | frozenset):
        if len(value) > MAX_ITEMS:
            _refuse(f"the template makes a list longer than {MAX_ITEMS:,} items")
        _spend(len(value))
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        _refuse("the template computes a number too large for a mail")
    return value


def text_size(value: Any, limit: int = MAX_TEXT) -> int:
    """About how many characters ``str(value)`` has; stops counting past ``limit``."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list | tuple | set | frozenset):
        total = 2
        for item in value:
            total += text_size(item, limit) + 2
            if total > limit:
                break
        return total
    return 40  # numbers, None, Undefined, loop helpers: short


def _check_text_size(size: int) -> None:
    if size > MAX_TEXT:
        _refuse(f"the template makes a text longer than {MAX_TEXT:,} characters")


def _check_format(spec: Any) -> None:
    """Refuse ``%`` specifications with a ``*`` or a width or precision past ``MAX_WIDTH``."""
    if not isinstance(spec, str):
        return
    for width, precision in _FORMAT_SPEC.findall(spec):
        for number in (width, precision):
            if number == "*" or (number and int(number) > MAX_WIDTH):
                _refuse(f"a format width in a mail template is at most {MAX_WIDTH}")


def _bounded_join(pieces: Any) -> str:
    """``~`` and every buffer Jinja joins (``{% set %}`` blocks, macros, ``{% filter %}``)."""
    items = list(pieces)
    _check_text_size(sum(text_size(p) for p in items))
    return checked("".join(str(p) for p in items))


def _width(value: Any) -> int:
    return value if isinstance(value, int) else len(str(value))


def _precheck_filter(name: str, value: Any, rest: tuple[Any, ...], kw: dict[str, Any]) -> None:
    """Refuse, before it is built, what a filter would make too big."""

    def arg(pos: int, key: str, default: Any) -> Any:
        return rest[pos] if len(rest) > pos else kw.get(key, default)

    size = text_size(value)
    if name == "center":
        _check_text_size(max(size, _width(arg(0, "width", 80))))
    elif name == "indent":
        lines = str(value).count("\n") + 1 if size <= MAX_TEXT else MAX_TEXT
        _check_text_size(size + lines * _width(arg(0, "width", 4)))
    elif name == "replace":
        old, new = str(arg(0, "old", "")), str(arg(1, "new", ""))
        text = str(value) if size <= MAX_TEXT else ""
        count = text.count(old) if old else len(text) + 1
        _check_text_size(size + count * max(len(new) - len(old), 0))
    elif name == "format":
        _check_format(value)
        _check_text_size(size + sum(text_size(a) for a in (*rest, *kw.values())))
    elif name == "join":
        joiner = str(arg(0, "d", ""))
        items = list(value) if isinstance(value, list | tuple) else []
        _check_text_size(sum(text_size(i) for i in items) + len(items) * len(joiner))
    elif name in {"batch", "slice"}:
        count = arg(0, "linecount" if name == "batch" else "slices", 1)
        if not isinstance(count, int) or count > MAX_ITEMS:
            _refuse(f"{name}() in a mail template takes at most {MAX_ITEMS:,}")
    elif name == "wordwrap":  # at worst a wrap string after every character
        wrap = arg(2, "wrapstring", None)
        _check_text_size(size + size * (len(str(wrap)) if wrap is not None else 1))
    elif name in {"string", "truncate", "trim", "title", "upper", "lower"}:
        _check_text_size(size)


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        value = args[skip] if len(args) > skip else None
        if name == "join" and value is not None and not isinstance(value, list | tuple | str):
            value = checked(list(value))  # a generator (map, select): count what it gives
            args = (*args[:skip], value, *args[skip + 1 :])
        _precheck_filter(name, value, args[skip + 1 :], kwargs)
        return checked(func(*args, **kwargs))

    return bounded


class MailSandbox(ImmutableSandboxedEnvironment):
    """The sandbox for organizers' templates, bounded in what it builds (module docstring)."""

    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self) -> None:
        super().__init__(autoescape=False, keep_trailing_newline=True, finalize=self._finalize)
        for name in _REMOVED_FILTERS:
            self.filters.pop(name, None)
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.globals.pop("lipsum", None)
        self.globals["range"] = _small_range
        self.concat = _bounded_join  # type: ignore[assignment]  # blocks, macros, {% filter %}

    @staticmethod
    def _finalize(value: Any) -> Any:
        """What ``{{ }}`` prints is measured before it is turned into text."""
        _check_text_size(text_size(value))
        return value

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _refuse("the power operator is not available in mail templates")
        if operator == "*":
            sized, count = (left, right) if isinstance(left, str | list | tuple) else (right, left)
            if isinstance(sized, str | list | tuple) and isinstance(count, int):
                if len(sized) * count > (MAX_TEXT if isinstance(sized, str) else MAX_ITEMS):
                    _refuse("the template makes a text too long for a mail")
            elif (
                isinstance(left, int)
                and isinstance(right, int)
                and left.bit_length() + right.bit_length() > MAX_INT_BITS + 1
            ):
                _refuse("the template computes a number too large for a mail")
        if operator == "%" and isinstance(left, str):
            _check_format(left)
            _check_text_size(len(left) + text_size(right))
        return checked(super().call_binop(context, operator, left, right))

    def wrap_str_format(self, value: Any) -> None:
        """No ``str.format``: its widths are unbounded (``is_safe_attribute`` refuses it)."""
        return None

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        allowed = _SAFE_METHODS.get(type(obj))
        return allowed is None or not callable(value) or attr in allowed

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") == "replace":
            _precheck_filter("replace", owner, args, kwargs)
        return checked(super().call(__context, __obj, *args, **kwargs))


def _small_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        _refuse(f"range() in a mail template has at most {MAX_RANGE} items")
    return numbers


_env = MailSandbox()


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> Any:
    """Compiling a template costs far more than rendering it: once per distinct text. The
    ``~`` joins of the compiled code go through the bounded join (``concat`` is the sandbox's)."""
    template = _env.from_string(source)
    template.root_render_func.__globals__.update(str_join=_bounded_join, markup_join=_bounded_join)
    return template


def render_text(source: str, context: dict[str, Any]) -> str:
    """``source`` rendered in this process, within the limits above (not the CPU budget)."""
    token = _work.set([0])
    try:
        pieces, size = [], 0
        for piece in _compiled(source).generate(**context):
            size += len(piece)
            if size > MAX_TEXT:
                _refuse(f"the template renders more than {MAX_TEXT:,} characters")
            pieces.append(piece)
        return "".join(pieces)
    finally:
        _work.reset(token)


# -- the child process (webapp.mail_render starts it) -------------------------------------------


class OverBudget(BaseException):
    """The CPU budget of one render ran out (a BaseException: no ``except Exception`` eats it)."""


def _over_budget(_signum: int, _frame: Any) -> None:
    raise OverBudget


def _render_job(source: str, context: dict[str, Any], budget: float) -> tuple[str, str, bool]:
    """``("ok", text, False)`` or ``("error", message, restart)``, within ``budget`` s of CPU."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    # The backstop, should the timer's signal wait behind a long call into C: the kernel's.
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (int(spent + budget) + 2, hard))
    signal.setitimer(signal.ITIMER_PROF, budget)
    try:
        return "ok", render_text(source, context), False
    except OverBudget:
        return "error", f"the template takes more than {budget:g} s of CPU time to render", True
    except MemoryError:
        return "error", "the template needs more memory than a mail may use", True
    except RecursionError:
        return "error", "the template calls itself too deeply", False
    except Exception as exc:  # syntax, sandbox and runtime errors alike  # noqa: BLE001
        return "error", f"{exc}" or type(exc).__name__, False
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def serve(memory_mb: int) -> None:
    """Answer render requests, one JSON line each, until stdin closes."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGPROF, _over_budget)
    for line in sys.stdin:
        request = json.loads(line)
        results, restart = [], False
        for source, context in request["jobs"]:
            if restart:
                results.append(["error", "not rendered: an earlier render ran out of budget"])
                continue
            state, text, restart = _render_job(source, context, float(request["budget"]))
            results.append([state, text])
        sys.stdout.write(json.dumps({"results": results, "restart": restart}) + "\n")
        sys.stdout.flush()
        if restart:
            return  # a fresh child: nothing of an interrupted render lingers


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 256)
