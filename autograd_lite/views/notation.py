"""One notation for people: names of nodes, numbers and formulas.

Pictures (:mod:`autograd_lite.views.pictures`), the step-by-step trace
(:mod:`autograd_lite.views.steps`), the command line and the explorer page all
write the same graph for people; they take their words from here, so that
one node has one name everywhere and a number reads the same in a table, a
step and a picture.

The rules this module keeps:

* every node of one table or picture has a distinct name (:func:`node_names`):
  its label, a constant's number, else ``t1, t2, …`` (``v1, v2, …`` for
  unlabelled leaves); names that would collide get ``#1, #2, …``;
* a compound name is parenthesised where it could be misread
  (:func:`symbol`, :func:`grad_of`: ``(x1*w1 + b).grad``), never twice
  (:func:`fill`: ``tanh(x1*w1 + b)``, not ``tanh((x1*w1 + b))``);
* a name cut to fit keeps its parentheses balanced (:func:`shorten`);
* numbers are short (:func:`format_number`), and where a line does
  arithmetic its operands carry enough digits that the arithmetic is right
  as printed (:func:`printed_operands`): ``1 − (-0.99998771)² = 2.458e-05``,
  not ``1 − (-1)² = 2.458e-05``;
* labels are text, not markup: :func:`dot_text` and :func:`html_text` escape
  them, and :func:`check_label` refuses what no picture can show.

Example:
    >>> from autograd_lite import Value
    >>> x = Value(-6.0, label="x"); y = x.tanh()
    >>> names = node_names([x, y])
    >>> names[y], grad_of("x1*w1 + b")
    ('t1', '(x1*w1 + b).grad')
    >>> fill("tanh({x})", {"x": "x1*w1 + b"})
    'tanh(x1*w1 + b)'
    >>> operands, result = printed_operands(lambda o: 1 - o * o, (y.data,))
    >>> f"1 − {operands[0]}² = {result}"
    '1 − (-0.99998771)² = 2.458e-05'
"""

from __future__ import annotations

import collections
import html
import math
import re
import types
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..core.checks import NAME_LIMIT, shorten
from ..core.value import Value, float_of

__all__ = [
    "DIGITS",
    "NAME_LIMIT",
    "chain_rule_text",
    "check_label",
    "derivative_text",
    "dot_text",
    "fill",
    "format_number",
    "given_text",
    "grad_of",
    "html_text",
    "is_atomic",
    "json_number",
    "node_names",
    "plural",
    "printed_operands",
    "shorten",
    "symbol",
    "use_marks",
]

#: significant digits of a number standing alone (a table cell, a record field)
DIGITS = 4

# Characters that make a name compound: an operator or a space inside it.
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_OPERATORS = frozenset(" \t\n+-*/^·×÷−<>=!,%&|@~")
_NUMBER = re.compile(r"^(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$|^(?:inf|nan)$")
_CALL = re.compile(r"^[^\W\d][\w.]*\(")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


# --- numbers -----------------------------------------------------------------


def format_number(x: Any, digits: int = DIGITS) -> str:
    """A number as people read it: ``digits`` significant digits, integers exact.

    A Value (a gradient from ``backward(create_graph=True)``) shows its data.

    Example:
        >>> [format_number(v) for v in (2.0, -3.0, 0.70710678, 6.881373587, 1.5e-7, float("nan"))]
        ['2', '-3', '0.7071', '6.881', '1.5e-07', 'nan']
        >>> format_number(-0.9999877116507956, 8)
        '-0.99998771'
    """
    if isinstance(x, Value):
        x = x.data
    if isinstance(x, int) and abs(x) >= 2**1023:  # an exponent beyond the floats (10**400)
        return f"{Decimal(x).normalize():.{digits}g}"
    x = float(x)
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}g}"


def printed_operands(arithmetic: Callable[..., Any], operands: Sequence[Any],
                     digits: int = DIGITS, result: Any = None) -> tuple[list[str], str]:
    """The operands and the result of one line's arithmetic, printed so the line is right.

    The result gets ``digits`` significant digits. The operands get the
    fewest digits (at least ``digits``, at most all 17) with which
    ``arithmetic`` applied to the numbers *as printed* gives the printed
    result. A reader who redoes the sum on paper gets what the line says:
    that matters most where it is most tempting to round, at a saturated
    tanh, whose output prints as -1 while 1 − out² is not 0.

    ``result``, if given, is the number to print (the one the program
    computed, e.g. backward's own product); by default it is
    ``arithmetic(*operands)``. Operands are parenthesised when negative,
    ready to stand in a formula.

    Example:
        >>> printed_operands(lambda a, b: a * b, (0.5, -3.0))
        (['0.5', '(-3)'], '-1.5')
        >>> printed_operands(lambda o: 1 - o * o, (-0.9999877116507956,))
        (['(-0.99998771)'], '2.458e-05')
    """
    try:
        values = [float(v.data if isinstance(v, Value) else v) for v in operands]
    except OverflowError:  # an integer beyond the floats (x ** 10**400): shown as it is
        shown = [format_number(v.data if isinstance(v, Value) else v, digits) for v in operands]
        return [factor_text(s) for s in shown], format_number(result, digits)
    printed = format_number(arithmetic(*values) if result is None else result, digits)
    for d in range(digits, 18):
        shown = [format_number(v, d) for v in values]
        try:
            again = format_number(arithmetic(*(float(s) for s in shown)), digits)
        except (ArithmeticError, ValueError, TypeError):
            continue
        if again == printed:
            break
    return [factor_text(s) for s in shown], printed


def json_number(x: Any) -> float | str:
    """A number for JSON: a float, or the string Python prints for inf and nan (JSON has neither).

    Example:
        >>> json_number(Value(0.5)), json_number(float("inf"))
        (0.5, 'inf')
    """
    x = float_of(x)
    return x if math.isfinite(x) else repr(x)


def given_text(x: float) -> str:
    """A number as the user gave it, in full: ``2`` rather than ``2.0``, every digit of ``6.881373587019543``.

    Example:
        >>> given_text(2.0), given_text(6.881373587019543)
        ('2', '6.881373587019543')
    """
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(x)


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 step``, ``2 steps``: a count with its noun.

    Example:
        >>> plural(1, "step"), plural(3, "step"), plural(2, "child", "children")
        ('1 step', '3 steps', '2 children')
    """
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


# --- names -------------------------------------------------------------------


def is_atomic(name: str) -> bool:
    """True if ``name`` reads as one thing in a formula, with no parentheses.

    Identifiers (``x1``, ``L0.N3.w1``), non-negative numbers (``0.5``,
    ``1e-05``), a name with a tag (``1#2``), a call (``tanh(x + b)``) and
    anything already wrapped in one pair of parentheses are atomic;
    ``x1*w1 + b`` and ``-3`` are not.

    Example:
        >>> [is_atomic(s) for s in ("x1", "L0.N3.w1", "1e-05", "tanh(x + b)", "(a + b)", "a + b", "-3")]
        [True, True, True, True, True, False, False]
    """
    if not name:
        return False
    base = name.split("#", 1)[0] if "#" in name else name
    if _NUMBER.match(base):
        return True
    if _wrapped(name) or (_CALL.match(name) and _wrapped(name[name.index("("):])):
        return True
    return not any(ch in _OPERATORS or ch in "()[]{}" for ch in name)


def _wrapped(text: str) -> bool:
    # "(...)" whose first parenthesis closes at the very end: "(a)+(b)" is not wrapped
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for k, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return k == len(text) - 1
    return False


def symbol(name: str) -> str:
    """A name ready to stand in a formula: parenthesised unless it is atomic.

    Example:
        >>> symbol("x1"), symbol("x1*w1"), symbol("-3"), symbol("(a + b)")
        ('x1', '(x1*w1)', '(-3)', '(a + b)')
    """
    return name if is_atomic(name) else f"({name})"


def grad_of(name: str) -> str:
    """``name.grad`` that cannot be misread: ``(x1*w1 + b).grad``, not ``x1*w1 + b.grad``.

    Example:
        >>> grad_of("b"), grad_of("x1*w1 + b")
        ('b.grad', '(x1*w1 + b).grad')
    """
    return f"{symbol(name)}.grad"


def fill(template: str, values: Mapping[str, str]) -> str:
    """Put names or numbers into a formula's ``{placeholders}``, parenthesised only where needed.

    A value that sits alone inside the template's own parentheses (a
    function's argument: ``tanh({x})``) goes in bare; anywhere else a
    compound value is parenthesised by :func:`symbol`.

    Example:
        >>> fill("tanh({x})", {"x": "a + b"}), fill("1 − {out}²", {"out": "-0.5"})
        ('tanh(a + b)', '1 − (-0.5)²')
    """

    def put(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        before = template[match.start() - 1:match.start()]
        after = template[match.end():match.end() + 1]
        if before == "(" and after in (")", ","):
            return value[1:-1] if _wrapped(value) else value
        return symbol(value)

    return _PLACEHOLDER.sub(put, template)


#: Functions that may name an unlabelled node (node → name, or None), asked in order
#: before it gets a number: the nn modules add the names a lecture uses (``L0.N3.z``,
#: ``L0.N3.a``) this way, at no cost to building the graph.
NAMERS: list[Callable[[Value], str | None]] = []


def node_names(order: Iterable[Value], limit: int = NAME_LIMIT) -> dict[Value, str]:
    """A distinct name for every node: its label, a constant's number, else ``t1, t2, …``.

    An unlabelled node that one of :data:`NAMERS` names gets that name.

    Unlabelled leaves are ``v1, v2, …``, in topological order. Labels
    longer than ``limit`` are cut by :func:`shorten`. Names that would be
    shared by several nodes (two constants 1, two leaves labelled ``x``) get
    ``#1, #2, …`` in order, and the numbered names skip any label in use.

    Example:
        >>> a = Value(1.0, label="a"); y = (a + 2) * a - 2
        >>> from autograd_lite.core.value import topological_order
        >>> list(node_names(topological_order(y)).values())
        ['a', '2#1', 't1', 't2', '2#2', 't3']
    """
    nodes = list(order)
    base: list[str | None] = []
    for node in nodes:
        if node.label:
            base.append(shorten(node.label, limit))
        elif node.is_constant:
            base.append(format_number(node.data))
        else:
            base.append(_given_name(node) if NAMERS else None)
    counts: dict[str, int] = {}
    for name in base:
        if name is not None:
            counts[name] = counts.get(name, 0) + 1
    taken = set(counts)
    seen: dict[str, int] = {}
    numbered = {"t": 0, "v": 0}
    names: dict[Value, str] = {}
    for node, name in zip(nodes, base):
        if name is None:
            prefix = "v" if node.is_leaf else "t"
            while True:
                numbered[prefix] += 1
                name = f"{prefix}{numbered[prefix]}"
                if name not in taken:
                    break
        elif counts[name] > 1:
            seen[name] = seen.get(name, 0) + 1
            name = f"{name}#{seen[name]}"
        names[node] = name
    return names


def _given_name(node: Value) -> str | None:
    for namer in NAMERS:
        name = namer(node)
        if name:
            return name
    return None


# --- formulas ----------------------------------------------------------------


def chain_rule_text(loss: str, name: str, terms: Sequence[tuple[str, Any, Any]], result: Any,
                    earlier: Any = 0.0, separator: str = " ") -> str:
    """``∂L/∂a = ∂L/∂t·∂t/∂a + … = g·d + … = result``: a gradient as the chain rule's sum.

    ``terms`` holds, per consumer t of ``name``: t's name, ∂L/∂t and ∂t/∂a.
    A nonzero ``earlier`` (what a leaf held from an earlier pass) comes
    first. The numbers carry the digits that make the sum right as printed.

    A consumer that uses ``name`` more than once (``b = a·a``) has one term per
    use, and each use is marked: ``∂b/∂a⁽¹⁾`` is the derivative through b's
    first use of a, ``∂b/∂a⁽²⁾`` through its second.

    Example:
        >>> print(chain_rule_text("y", "a", [("b", 1.0, 3.0), ("b", 1.0, 3.0)], 6.0))
        ∂y/∂a = ∂y/∂b·∂b/∂a⁽¹⁾ + ∂y/∂b·∂b/∂a⁽²⁾ = 1·3 + 1·3 = 6
    """
    loss_symbol, a = symbol(loss), symbol(name)
    consumers = [t for t, _, _ in terms]
    symbols = " + ".join(f"∂{loss_symbol}/∂{symbol(t)}·∂{symbol(t)}/∂{a}{mark}"
                         for t, mark in zip(consumers, use_marks(consumers)))
    operands: list[Any] = [earlier] if earlier != 0.0 else []
    for _, g, d in terms:
        operands += [g, d]

    def total(*xs: float) -> float:
        start = 1 if earlier != 0.0 else 0
        pairs = xs[start:]
        return (xs[0] if start else 0.0) + math.fsum(pairs[k] * pairs[k + 1] for k in range(0, len(pairs), 2))

    shown, printed = printed_operands(total, operands)
    if earlier != 0.0:  # a leaf keeps what it held from an earlier pass
        symbols = f"(earlier) + {symbols}"
    products = [f"{shown[k]}·{shown[k + 1]}" for k in range(1 if earlier != 0.0 else 0, len(shown), 2)]
    numbers = " + ".join(([shown[0]] if earlier != 0.0 else []) + products)
    if format_number(result) != printed:  # the pass's own sum, in its own order of additions
        printed = format_number(result)
    return f"∂{loss_symbol}/∂{a} = {symbols}{separator}= {numbers} = {printed}"


def use_marks(items: Sequence[Any]) -> list[str]:
    """``⁽¹⁾``, ``⁽²⁾``, … for items that occur more than once, ``""`` for the others.

    Example:
        >>> use_marks(["b", "c", "b"])
        ['⁽¹⁾', '', '⁽²⁾']
    """
    uses = collections.Counter(items)
    seen: collections.Counter[Any] = collections.Counter()
    marks = []
    for item in items:
        seen[item] += 1
        marks.append(f"⁽{str(seen[item]).translate(_SUPERSCRIPTS)}⁾" if uses[item] > 1 else "")
    return marks


def derivative_text(node: str, parent: str, formula: str, symbols: Mapping[str, str],
                    numbers: Mapping[str, float], result: Any) -> str:
    """``∂node/∂parent = formula in symbols = formula in numbers = result``, repeats left out.

    ``formula`` is an op table formula with ``{placeholders}`` (``1 − {out}²``);
    ``symbols`` gives each placeholder's name and ``numbers`` its value. The
    numbers carry the digits that make the formula, evaluated as printed,
    give the printed result (see :func:`printed_operands`).

    Example:
        >>> print(derivative_text("y", "x", "1 − {out}²", {"out": "y"}, {"out": -0.9999877116507956},
        ...                       2.4576547405286142e-05))
        ∂y/∂x = 1 − y² = 1 − (-0.99998771)² = 2.458e-05
        >>> print(derivative_text("x*w", "x", "{b}", {"b": "w"}, {"b": -3.0}, -3.0))
        ∂(x*w)/∂x = w = -3
    """
    keys = list(dict.fromkeys(_PLACEHOLDER.findall(formula)))
    arithmetic = _formula_arithmetic(formula, tuple(keys))
    if arithmetic is None:  # a formula that is not arithmetic we can evaluate (a custom op's)
        shown = [factor_text(format_number(numbers[k])) for k in keys]
        printed = format_number(result)
    else:
        shown, printed = printed_operands(arithmetic, [numbers[k] for k in keys], result=result)
    sym = fill(formula, symbols)
    num = fill(formula, dict(zip(keys, shown)))
    if len(keys) == 1 and formula.count("{") == 1 and num == shown[0] and _wrapped(num):
        num = num[1:-1]  # a lone number needs no parentheses
    parts = [f"∂{symbol(node)}/∂{symbol(parent)}", sym]
    if num != sym:
        parts.append(num)
    if num.replace("−", "-") != printed:
        parts.append(printed)
    return " = ".join(parts)


_FORMULAS: dict[tuple[str, tuple[str, ...]], Any] = {}


#: the functions a formula's arithmetic may call when it is checked digit by digit
_FORMULA_FUNCTIONS: dict[str, Callable[..., float]] = {
    "log": math.log, "exp": math.exp, "sin": math.sin, "cos": math.cos, "tan": math.tan,
    "sqrt": math.sqrt,
}


def _formula_arithmetic(formula: str, keys: tuple[str, ...]) -> Callable[..., Any] | None:
    """An op table formula as a function of its placeholders, or None.

    ``1 − {out}²`` becomes ``lambda out: 1 - (out)**2``: the arithmetic exactly
    as a line prints it, so the digits shown can be checked against it.
    """
    key = (formula, keys)
    if key not in _FORMULAS:
        text = formula
        for old, new in (("·", "*"), ("−", "-"), ("²", "**2"), ("^", "**")):
            text = text.replace(old, new)
        text = _PLACEHOLDER.sub(lambda m: f"({m.group(1)})", text)
        function: Callable[..., Any] | None = None
        try:  # the op table's own text, evaluated on numbers only, with no builtins
            code = compile(f"lambda {', '.join(keys)}: {text}", "<formula>", "eval")
        except SyntaxError:
            code = None
        if code is not None:
            # only formulas in names we can evaluate (σ, sign, erf, … of newer ops are not)
            body = next((c for c in code.co_consts if isinstance(c, types.CodeType)), None)
            names = set(code.co_names) | set(body.co_names if body is not None else ())
            if names <= _FORMULA_FUNCTIONS.keys():
                function = eval(code, {"__builtins__": {}, **_FORMULA_FUNCTIONS})
        _FORMULAS[key] = function
    return _FORMULAS[key]


# --- text for pictures and pages ---------------------------------------------


def check_label(text: str, what: str = "a label") -> str:
    """``text`` if every picture and page can show it; else a ValueError saying why.

    Refused: NUL and other control characters (except tab and newline), which
    Graphviz cannot read or silently drops, and lone surrogates, which are not
    text at all (they cannot be written as UTF-8).

    Example:
        >>> check_label("x & y")
        'x & y'
        >>> check_label("x\\x00")
        Traceback (most recent call last):
        ...
        ValueError: a label 'x\\x00' holds the control character U+0000, which no picture can show; labels are plain text
    """
    for ch in text:
        code = ord(ch)
        if (code < 32 and ch not in "\t\n") or code == 127:
            raise ValueError(f"{what} {text!r} holds the control character U+{code:04X}, "
                             "which no picture can show; labels are plain text")
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"{what} {text!r} holds a lone surrogate U+{code:04X}, which is "
                             "not a character (it cannot be written as UTF-8); labels are plain text")
    return text


def dot_text(text: str, record: bool = False) -> str:
    """``text`` escaped for a Graphviz label, so it shows as written.

    Graphviz reads ``&amp;`` in a label as ``&``; labels are text, so ``&``
    is escaped and ``&amp;`` shows as ``&amp;``. In a record label (``record=True``)
    the field syntax ``{ } | < >`` is escaped too. Newlines become line breaks.

    Example:
        >>> dot_text("x &amp; y"), dot_text("{a|b}", record=True)
        ('x &amp;amp; y', '\\\\{a\\\\|b\\\\}')
    """
    out = text.replace("&", "&amp;").replace("\\", "\\\\")
    if record:
        for ch in "{}|<>":
            out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def html_text(text: str) -> str:
    """``text`` escaped for HTML, quotes included: ``&amp;`` shows as ``&amp;``.

    Example:
        >>> html_text('a < b & "c"')
        'a &lt; b &amp; &quot;c&quot;'
    """
    return html.escape(text, quote=True)


# ---------------------------------------------------------------------------
# Evaluation-trace tables (Baydin's survey): the same rows in Unicode (text, Markdown) and in LaTeX.

_SUBSCRIPTS = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")
DOT_ABOVE, BAR_ABOVE = "\u0307", "\u0304"  # combining dot above (v̇) and macron (v̄)
_LATEX_PLACEHOLDER = re.compile(r"(\{[A-Za-z_]\w*\})")


class TraceNotation:
    """Names and numbers as text and Markdown show them: v₋₁, v̇₀, v̄₃, −0.959."""

    times = " · "
    minus = "−"

    def __init__(self, decimals: int) -> None:
        self.decimals = decimals

    def var(self, k: int) -> str:
        return "v" + str(k).translate(_SUBSCRIPTS)

    def dot(self, k: int) -> str:
        return "v" + DOT_ABOVE + str(k).translate(_SUBSCRIPTS)

    def bar(self, k: int) -> str:
        return "v" + BAR_ABOVE + str(k).translate(_SUBSCRIPTS)

    def label(self, name: str, mark: str = "") -> str:
        # NFC: ȧ and ẋ are single characters where Unicode has them (v̇ is not)
        return unicodedata.normalize("NFC", name[0] + mark + name[1:]) if mark else name

    def number(self, x: float) -> str:
        return rounded(x, self.decimals).replace("-", "−")

    def template(self, text: str) -> str:
        return text

    def partial(self, of: str, by: str) -> str:
        return f"∂{of}/∂{by}"

    def cell(self, text: str) -> str:
        return text


#: functions LaTeX knows by name (\\exp); other words become \\operatorname{...}
_LATEX_FUNCTIONS = frozenset({"exp", "log", "ln", "sin", "cos", "tan", "tanh", "sinh", "cosh", "max", "min"})
_LATEX_SYMBOLS = (("·", "\\cdot"), ("−", "-"), ("σ", "\\sigma"), ("Σ", "\\sum"), ("δ", "\\delta"),
                  ("²", "^{2}"), ("×", "\\times"), ("√", "\\sqrt"), ("½", "\\tfrac{1}{2}"), ("π", "\\pi"),
                  ("Φ", "\\Phi"), ("φ", "\\phi"))


class LatexTraceNotation(TraceNotation):
    """The same in LaTeX math: v_{-1}, \\dot{v}_{0}, \\bar{v}_{3}, -0.959."""

    times = " \\cdot "
    minus = "-"

    def var(self, k: int) -> str:
        return f"v_{{{k}}}"

    def dot(self, k: int) -> str:
        return f"\\dot{{v}}_{{{k}}}"

    def bar(self, k: int) -> str:
        return f"\\bar{{v}}_{{{k}}}"

    def label(self, name: str, mark: str = "") -> str:
        match = re.fullmatch(r"([A-Za-z])_?(\d+)", name)
        if match:
            base, sub = match.group(1), f"_{{{match.group(2)}}}"
        elif len(name) == 1:
            base, sub = name, ""
        else:
            base, sub = "\\mathrm{" + name.replace("_", "\\_") + "}", ""
        if mark == DOT_ABOVE:
            base = f"\\dot{{{base}}}"
        elif mark == BAR_ABOVE:
            base = f"\\bar{{{base}}}"
        return base + sub

    def number(self, x: float) -> str:
        return rounded(x, self.decimals)

    def partial(self, of: str, by: str) -> str:
        return f"\\partial {of}/\\partial {by}"

    def template(self, text: str) -> str:
        text = re.sub(r"√(\{\w+\})", "\x01\\1\x02", text)  # √{x}: the root over all of x
        parts = _LATEX_PLACEHOLDER.split(text)
        for k in range(0, len(parts), 2):  # the text between placeholders
            part = re.sub(r"[A-Za-z][A-Za-z_]*", lambda m: self._word(m.group(0)), parts[k])
            for symbol, macro in _LATEX_SYMBOLS:
                part = part.replace(symbol, f" {macro} ")
            parts[k] = part.replace("{", "{{").replace("}", "}}")  # the result is a format string
        text = re.sub(r" {2,}", " ", "".join(parts)).replace("( ", "(").replace(" )", ")")
        return text.replace("\x01", "\\sqrt{{").replace("\x02", "}}")

    def _word(self, word: str) -> str:
        if word in _LATEX_FUNCTIONS:
            return "\\" + word
        if len(word) == 1 or word in ("if", "else"):
            return word if len(word) == 1 else f"\\text{{ {word} }}"
        return "\\operatorname{" + word.replace("_", "\\_") + "}"

    def cell(self, text: str) -> str:
        text = re.sub(r"\^\(([^()]*)\)", r"^{(\1)}", text.strip())  # x^(n - 1): one superscript
        text = re.sub(r"\^([0-9.]+)", r"^{\1}", text)
        text = re.sub(r"(\\[A-Za-z]+) \(", r"\1(", text)  # \sigma (x) as \sigma(x)
        return f"${text}$" if text else ""


def rounded(x: float, decimals: int) -> str:
    """A number rounded as the survey's tables round it: 0.693, 10, 11.652."""
    x = float(x)
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if x != 0.0 and (abs(x) >= 1e7 or abs(x) < 10.0 ** -decimals):
        return f"{x:.{max(decimals - 1, 1)}e}"
    text = f"{x:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def param_text(x: Any) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() and abs(x) < 1e15 else str(x)


def term_text(text: str) -> str:
    """``text`` in parentheses unless it is one term: no space outside brackets, no leading sign."""
    depth = 0
    for c in text:
        depth += c in "({"
        depth -= c in ")}"
        if c == " " and depth == 0:
            return f"({text})"
    return f"({text})" if text.startswith(("−", "-")) else text


def factor_text(text: str) -> str:
    """A number as a factor: negative ones in parentheses, (−1) · 3."""
    return f"({text})" if text.startswith(("−", "-")) else text


def joined_terms(terms: list[str], n: TraceNotation) -> str:
    text = " + ".join(terms)
    return text.replace(f" + {n.minus}", f" {n.minus} ").replace(" + -", " - ")


def text_width(text: str) -> int:
    """Columns on screen: combining marks (the dot of v̇, the bar of v̄) take none."""
    return sum(1 for c in text if not unicodedata.combining(c))


def padded(text: str, width: int) -> str:
    return text + " " * (width - text_width(text))
