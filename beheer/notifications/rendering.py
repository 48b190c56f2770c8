"""The safe template language for notification texts: a locked-down Jinja2 sandbox.

Administrators write `{{ variable }}`, `{% if %}`/`{% elif %}`/`{% else %}` and a short list of
filters. There is no attribute or method access on any value (so `{{ ''.__class__ }}` is refused), no
loops, macros, includes or global functions, arithmetic that could build huge values is refused, and
the output is capped. The context holds only strings and numbers. The subject and text body are
rendered without escaping; an HTML body is rendered with autoescape, or derived from the text body by
escaping all of it.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _
from jinja2 import StrictUndefined, Template, TemplateError, Undefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_SOURCE = 20_000
MAX_OUTPUT = 100_000
MAX_SUBJECT = 250
MAX_STRING_OP = 10_000
# Integer arithmetic stays within this many bits (a 64-bit signed number and a little more): a bigger
# result is refused before it is computed, so `9**9**9` or a chain of products cannot run for minutes.
MAX_INT_BITS = 80
ALLOWED_FILTERS = (
    "default",
    "d",
    "upper",
    "lower",
    "title",
    "capitalize",
    "trim",
    "truncate",
    "length",
    "count",
    "escape",
    "e",
    "striptags",
    "wordcount",
    "int",
    "round",
    "abs",
    "string",
)
FORBIDDEN_NODES: tuple[type[nodes.Node], ...] = (
    nodes.For,
    nodes.Macro,
    nodes.CallBlock,
    nodes.FilterBlock,
    nodes.Include,
    nodes.Import,
    nodes.FromImport,
    nodes.Extends,
    nodes.Block,
    nodes.With,
    nodes.Scope,
)

Scalar = str | int | float


class TemplateProblem(Exception):
    """A template cannot be used: a syntax error, a forbidden construct or an unknown variable."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if self.line:
            return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}
        return self.message


def _refuse() -> SecurityError:
    return SecurityError(_("This calculation is not allowed in a template."))


def _bits(value: int | float) -> int:
    return abs(int(value)).bit_length() if isinstance(value, int) else 0


def _check_numbers(operator_: str, left: Any, right: Any) -> None:
    """Refuse arithmetic whose result would be a huge integer (estimated from the operands' sizes,
    before anything is computed). Floats overflow to an error on their own."""
    numbers = (int, float)
    if not (isinstance(left, numbers) and isinstance(right, numbers)):
        raise _refuse()
    if isinstance(left, bool) or isinstance(right, bool):
        raise _refuse()
    too_big = False
    if operator_ == "**":
        exact = isinstance(left, int) and isinstance(right, int) and right > 0
        too_big = abs(right) > 64 or (exact and _bits(left) * right > MAX_INT_BITS + right)
    elif operator_ == "*":
        too_big = _bits(left) + _bits(right) > MAX_INT_BITS
    if too_big:
        raise _refuse()
    if _bits(left) > MAX_INT_BITS * 2 or _bits(right) > MAX_INT_BITS * 2:
        raise _refuse()


class _Generator(CodeGenerator):
    """Compiles `a ~ b` through the environment's `checked_concat`, so joining text is bounded too
    (the sandbox intercepts the arithmetic operators, but not concatenation)."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.checked_concat({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Sandbox(ImmutableSandboxedEnvironment):
    """No attribute access, no calls, bounded arithmetic and bounded text."""

    code_generator_class = _Generator
    intercepted_binops = frozenset(["*", "**", "%", "+", "-", "//", "/"])

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        return False

    def checked_concat(self, join: Callable[[Any], Any], parts: tuple[Any, ...]) -> Any:
        """`a ~ b ~ ...`, refused before joining when the result would be longer than any output."""
        if sum(len(part) if isinstance(part, str) else len(str(part)) for part in parts) > MAX_OUTPUT:
            raise SecurityError(_("The text in this template grows too long."))
        return join(parts)

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "+" and isinstance(left, str) and isinstance(right, str):
            # strings may be joined up to a limit; nothing is ever repeated or formatted with %
            if len(left) + len(right) > MAX_STRING_OP:
                raise _refuse()
        else:
            _check_numbers(operator_, left, right)
        return {
            "*": operator.mul,
            "**": operator.pow,
            "%": operator.mod,
            "+": operator.add,
            "-": operator.sub,
            "//": operator.floordiv,
            "/": operator.truediv,
        }[operator_](left, right)


def _environment(*, autoescape: bool, strict: bool) -> _Sandbox:
    env = _Sandbox(
        autoescape=autoescape,
        undefined=StrictUndefined if strict else Undefined,
        keep_trailing_newline=True,
        trim_blocks=False,
        auto_reload=False,
        cache_size=200,
    )
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS}
    env.tests = {name: env.tests[name] for name in ("defined", "undefined", "none", "number", "string")}
    env.globals.clear()
    return env


_ENVIRONMENTS = {
    (autoescape, strict): _environment(autoescape=autoescape, strict=strict)
    for autoescape in (False, True)
    for strict in (False, True)
}


def _line(exc: Exception) -> int | None:
    return getattr(exc, "lineno", None)


def check_source(source: str, *, variables: Mapping[str, Any] | None = None) -> None:
    """Raise TemplateProblem if `source` does not parse, uses a forbidden construct, or (when
    `variables` is given) names a variable that is not one of them."""
    if len(source) > MAX_SOURCE:
        raise TemplateProblem(_("A template can have at most %(n)s characters.") % {"n": MAX_SOURCE})
    env = _ENVIRONMENTS[(False, True)]
    try:
        tree = env.parse(source)
    except TemplateError as exc:
        raise TemplateProblem(str(getattr(exc, "message", None) or exc), line=_line(exc)) from exc
    for node in tree.find_all(FORBIDDEN_NODES):
        raise TemplateProblem(
            _("“%(tag)s” is not allowed in notification templates; use variables, if and filters.")
            % {"tag": type(node).__name__.lower()},
            line=node.lineno,
        )
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Call)):
        raise TemplateProblem(
            _("Attribute access and function calls are not allowed in notification templates."),
            line=node.lineno,
        )
    if variables is not None:
        assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
        for node in tree.find_all(nodes.Name):
            if node.ctx == "load" and node.name not in variables and node.name not in assigned:
                raise TemplateProblem(
                    _("Unknown variable “%(name)s”.") % {"name": node.name}, line=node.lineno
                )


def _plain_context(context: Mapping[str, Any]) -> dict[str, Scalar]:
    """Only strings and numbers reach a template; anything else becomes its text."""
    clean: dict[str, Scalar] = {}
    for key, value in context.items():
        if value is None:
            clean[key] = ""
        elif isinstance(value, bool):
            clean[key] = "1" if value else ""
        elif isinstance(value, int | float | str):
            clean[key] = value
        else:
            clean[key] = str(value)
    return clean


@functools.lru_cache(maxsize=256)
def _compiled(source: str, autoescape: bool, strict: bool) -> Template:
    """The checked and compiled template (kept per process: the same few sources are used all day)."""
    check_source(source)
    try:
        return _ENVIRONMENTS[(autoescape, strict)].from_string(source)
    except TemplateError as exc:
        raise TemplateProblem(str(getattr(exc, "message", None) or exc), line=_line(exc)) from exc


def render(source: str, context: Mapping[str, Any], *, autoescape: bool = False, strict: bool = False) -> str:
    """Render one template; TemplateProblem for any error (never an unexpected exception)."""
    if len(source) > MAX_SOURCE:
        raise TemplateProblem(_("A template can have at most %(n)s characters.") % {"n": MAX_SOURCE})
    template = _compiled(source, autoescape, strict)
    try:
        output = template.render(_plain_context(context))
    except SecurityError as exc:
        raise TemplateProblem(str(exc) or _("This is not allowed in a template.")) from exc
    except TemplateError as exc:
        raise TemplateProblem(str(getattr(exc, "message", None) or exc), line=_line(exc)) from exc
    except (ArithmeticError, ValueError, TypeError, OverflowError, MemoryError, RecursionError) as exc:
        raise TemplateProblem(_("The template could not be rendered: %(error)s") % {"error": exc}) from exc
    if len(output) > MAX_OUTPUT:
        raise TemplateProblem(_("The rendered text is too long."))
    return output


def clean_subject(text: str) -> str:
    """One line, no control characters (no header injection), at most MAX_SUBJECT characters."""
    text = re.sub(r"[\x00-\x1f\x7f]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_SUBJECT]


_URL = re.compile(r"(https?://[^\s<]+)")


def text_to_html(text: str) -> str:
    """An HTML body for a text body: everything escaped, paragraphs and line breaks kept, links made
    clickable."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    parts = []
    for paragraph in paragraphs:
        html = str(escape(paragraph))
        html = _URL.sub(r'<a href="\1">\1</a>', html)
        parts.append("<p>" + html.replace("\n", "<br>\n") + "</p>")
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"></head>\n<body>\n'
        + "\n".join(parts)
        + "\n</body></html>\n"
    )


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


def render_message(
    *, subject: str, body: str, body_html: str, context: Mapping[str, Any], strict: bool = False
) -> Rendered:
    text = render(body, context, strict=strict)
    html = (
        render(body_html, context, autoescape=True, strict=strict)
        if body_html.strip()
        else text_to_html(text)
    )
    return Rendered(
        subject=clean_subject(render(subject, context, strict=strict)), body_text=text, body_html=html
    )
