"""A small expression language for the command line, parsed safely.

``parse("tanh(x1*w1 + b)")`` reads an expression with Python's own ``ast``
parser and checks every node of the tree against a whitelist: numbers,
variables, the constants ``pi`` and ``e``, ``+ - * / **``, unary ``-``/``+``,
parentheses, and the functions of the op table by name (``exp, log, sin, sqrt,
gelu, leaky_relu(x, alpha), maximum(a, b), sum(a, b, ...), softmax(...)[i]``,
...; ``ln`` is ``log``, ``max``/``min`` are ``maximum``/``minimum``). Nothing is ever passed to ``eval`` or
``exec``; anything else (attributes, calls of other names, lambdas,
comprehensions, strings, ...) is refused with a message that points at it.

``Expression.build(values)`` turns the checked tree into a graph of Values,
with every variable a labelled leaf and every inner node labelled with its
piece of the source text.

Example:
    >>> e = parse("sigmoid(x) * log(y)")
    >>> e.variables
    ('x', 'y')
    >>> f, leaves = e.build({"x": 0.5, "y": 3.0})
    >>> round(f.data, 6)
    0.683841
"""

from __future__ import annotations

import ast
import difflib
import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .checks import shorten
from .generic import apply
from .ops import ALIASES, CONSTANTS, OPS, VARIADIC, DomainError, Op
from .value import Value, float_of, scope

__all__ = [
    "ALIASES",
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_OPERATORS",
    "Expression",
    "ExpressionError",
    "parse",
    "printable",
    "read_assignments",
    "signature",
]


class _Functions(Mapping[str, Op]):
    """The op table's functions by name, read from the table at each use, so an op
    added later (``define_op``) can be called at once."""

    def __getitem__(self, name: str) -> Op:
        op = OPS[name]
        if not op.is_function:
            raise KeyError(name)
        return op

    def __iter__(self) -> Iterator[str]:
        return (name for name, op in list(OPS.items()) if op.is_function)

    def __len__(self) -> int:
        return sum(1 for _ in self)


#: the functions an expression may call: the op table's named functions
FUNCTIONS: Mapping[str, Op] = _Functions()
#: the longest expression accepted, in characters
MAX_LENGTH = 10_000
#: the deepest nesting of parentheses or unary signs accepted (Python's own parser stops at 200)
MAX_DEPTH = 200
#: the most operators an expression may have. Python's parser gives up on long
#: chains at a length that differs between versions (about 3,000 on 3.11 and
#: 3.12, 10,000 on 3.13); below this limit every supported Python reads them.
MAX_OPERATORS = 2000

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

# What to call the constructs we refuse, so the message says what was seen.
_REFUSED = {
    ast.Attribute: "attribute access ('.')",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "'if ... else'",
    ast.NamedExpr: "':=' assignment",
    ast.Starred: "'*' unpacking",
    ast.List: "lists",
    ast.Tuple: "tuples (a comma outside a call)",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.JoinedStr: "strings",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}


class ExpressionError(ValueError):
    """The expression cannot be read or evaluated; ``str()`` says why.

    ``position`` is the 0-based column the problem starts at, when known,
    and :meth:`pointer` draws a caret under it.
    """

    def __init__(self, message: str, text: str = "", position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def pointer(self) -> str:
        """The expression with a caret under the problem, or "" when there is no position."""
        if self.position is None or not self.text:
            return ""
        text, at = self.text, self.position
        if len(text) > 80:  # a window of the text around the position
            start = max(0, at - 40)
            window = text[start:start + 80]
            prefix = "…" if start else ""
            text, at = prefix + window + ("…" if start + 80 < len(self.text) else ""), at - start + len(prefix)
        # control characters shown escaped (\x1b), never sent to the terminal or the page as they are
        shown = [printable(ch) for ch in text]
        return f"  {''.join(shown)}\n  {' ' * len(''.join(shown[:at]))}^"


def printable(text: str) -> str:
    r"""``text`` with every character that is not printable escaped as Python writes it.

    Example:
        >>> printable("x\x1b[31m"), printable("ﬁ ∂")
        ('x\\x1b[31m', 'ﬁ ∂')
    """
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, its syntax tree and its variables."""

    text: str
    tree: ast.expr
    variables: tuple[str, ...]  #: in order of first appearance

    def of_one_variable(self, what: str) -> tuple[str, Callable[[Value], Value]]:
        """``(name, f)``: the expression as a function of its one variable, for ``grad``.

        ``what`` names the request in the message when the expression has
        another number of variables (``"--order 3"``).
        """
        if len(self.variables) != 1:
            raise ExpressionError(f"{what} needs an expression of one variable; this one has "
                                  f"{len(self.variables)}: {', '.join(self.variables) or 'none'}", self.text)
        (name,) = self.variables

        def f(x: Value) -> Value:
            return self.build({name: x})[0]

        return name, f

    def build(self, values: Mapping[str, float | Value], *,
              scopes: bool = False) -> tuple[Value, dict[str, Value]]:
        """The expression as a graph of Values: ``(output, {name: leaf})``.

        A value may be a number (it becomes a leaf labelled with the
        variable's name) or a Value, used as it is (how ``grad`` composes).
        With ``scopes``, each function call and its arguments are built in a
        scope named after the function (``tanh``, ``tanh/exp``), so pictures
        can collapse them.

        Raises :class:`ExpressionError` for a missing variable, a domain error
        (``log(-1)``) or a result too large for a float.
        """
        missing = [v for v in self.variables if v not in values]
        if missing:
            given = " ".join(f"{v}=<number>" for v in missing)
            raise ExpressionError(f"no value for {', '.join(missing)}: add {given}")
        leaves: dict[str, Value] = {name: _leaf(values[name], name) for name in self.variables}
        # Post-order walk with an explicit stack: depth is bounded at parse
        # time, but recursion is avoided anyway.
        results: dict[int, Any] = {}
        lines = [line.encode() for line in re.split(r"(?<=\r\n)|(?<=\r)(?!\n)|(?<=\n)", self.text)]
        stack: list[tuple[ast.AST, bool]] = [(self.tree, False)]
        calls: list[Any] = []  # with scopes: the scopes of the calls being built, innermost last
        try:
            while stack:
                node, ready = stack.pop()
                children = _operands(node)
                call = scopes and isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                if not ready:
                    if call:  # the call's arguments and the call itself are built in its scope
                        calls.append(scope(node.func.id))  # type: ignore[attr-defined]
                        calls[-1].__enter__()
                    stack.append((node, True))
                    stack.extend((c, False) for c in reversed(children))
                    continue
                results[id(node)] = self._evaluate(node, [results[id(c)] for c in children], leaves, lines)
                if call:
                    calls.pop().__exit__(None, None, None)
        finally:
            while calls:  # an error inside a call: close what is open
                calls.pop().__exit__(None, None, None)
        out = results[id(self.tree)]
        if not isinstance(out, Value):  # a constant expression such as "2"
            out = Value(out)
        if not any(out is leaf for leaf in leaves.values()):
            out.label = "f"
        return out, leaves

    def _evaluate(self, node: ast.AST, args: list[Any], leaves: dict[str, Value], lines: list[bytes]) -> Any:
        try:
            result = _apply(node, args, leaves)
        except DomainError as error:
            raise ExpressionError(str(error), self.text, _column(node)) from None
        if isinstance(result, Value) and not isinstance(node, (ast.Name, ast.Constant)):
            finite_inputs = all(math.isfinite(a.data) for a in args if isinstance(a, Value))
            if finite_inputs and not math.isfinite(result.data):
                piece = _segment(lines, node) or "a part of it"
                raise ExpressionError(
                    f"{shorten(piece, 40)} overflows: the result is too large for a float "
                    "(beyond about 1.8e308)", self.text, _column(node))
            if result.label is None:
                result.label = shorten(_segment(lines, node), 24) or None  # parentheses kept balanced
        return result


def parse(text: str) -> Expression:
    """Read and check an expression; raise :class:`ExpressionError` if it is not allowed.

    Example:
        >>> parse("2 * x ** 3").variables
        ('x',)
        >>> parse("__import__('os')")
        Traceback (most recent call last):
        ...
        autograd_lite.core.expression.ExpressionError: unknown function '__import__'; the functions are exp, log, ...
    """
    if not isinstance(text, str):
        raise TypeError(f"parse takes a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text):,} characters long; the limit is {MAX_LENGTH:,}")
    if not text.strip():
        raise ExpressionError("the expression is empty")
    _check_characters(text)
    _check_nesting(text)
    _check_operators(text)
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal" for 1x: an error follows
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as error:
        offset = None if error.offset is None else max(0, error.offset - 1 + _lead(text))
        reason = (error.msg or "invalid syntax").replace("Perhaps you forgot a comma?", "").strip()
        if "Exceeds the limit" in reason:  # Python's cap on integer literals
            reason = "a number has too many digits"
        if "decimal literal" in reason:  # 2x: a number run into a name, as written on paper
            juxtaposed = _juxtaposed(text, offset)
            if juxtaposed is not None:
                number, name, at = juxtaposed
                raise ExpressionError(f"{number}{name} is not a number: did you mean {number}*{name}? "
                                      "(write each product with *)", text, at) from None
        raise ExpressionError(f"syntax error: {reason}", text, offset) from None
    except (RecursionError, MemoryError):  # Python's parser recurses per operator
        raise ExpressionError("the expression is too deeply nested for Python's parser "
                              "(chains of about 1,000 operators at most)") from None
    except ValueError as error:  # pragma: no cover - e.g. a NUL character on older Pythons
        raise ExpressionError(f"cannot read the expression: {error}") from None
    if _lead(text):  # positions below are columns in the stripped text
        text = text.strip()
    variables: list[str] = []
    stack: list[ast.AST] = [tree]
    while stack:  # parents before children, left to right
        node = stack.pop()
        _check_node(node, text, variables)
        stack.extend(reversed(_operands(node)))
    return Expression(text, tree, tuple(variables))


def read_assignments(items: Iterable[str]) -> dict[str, float]:
    """``["x=2", "y=3"]`` as ``{"x": 2.0, "y": 3.0}``: the values of an expression's variables.

    Names are read as Python reads them in the expression (NFKC: ``ﬁ`` is
    ``fi``). A value is a number or arithmetic on numbers and the constants,
    read by the same safe parser as expressions (``2/3``, ``pi``, ``-e``,
    ``sqrt(2)``); a name given twice, a value that is not a finite number
    (or uses a variable) or an item that is not ``name=value`` is a
    ValueError with a message for people.

    Example:
        >>> read_assignments(["x1=2", "w1=-3", "a=1/4", "t=pi"])
        {'x1': 2.0, 'w1': -3.0, 'a': 0.25, 't': 3.141592653589793}
    """
    values: dict[str, float] = {}
    for item in items:
        name, sep, number = item.partition("=")
        name, number = name.strip(), number.strip()
        if not sep or not name:
            raise ValueError(f"{item!r} is not name=value: give each variable as, e.g., x=2")
        if not name.isidentifier():
            raise ValueError(f"{name!r} is not a variable name (letters, digits and _, "
                             "not starting with a digit)")
        typed, name = name, unicodedata.normalize("NFKC", name)  # as Python reads names: ﬁ is fi
        if name in values:
            same = "" if typed == name else f" ({typed} is {name} to Python, as in the expression)"
            raise ValueError(f"{name} is given twice{same}")
        try:
            value = float(number)
        except ValueError:
            value = _constant_value(typed, number)
        if not math.isfinite(value):
            raise ValueError(f"{typed}={number}: give a finite number")
        values[name] = value
    return values


_JUXTAPOSED = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?|\.\d+)([A-Za-z_]\w*)")


def _juxtaposed(text: str, offset: int | None) -> tuple[str, str, int] | None:
    # the number and name run together (2x, 0.5y) nearest the column Python complains at
    found = [(m.group(1), m.group(2), m.start()) for m in _JUXTAPOSED.finditer(text)]
    if not found:
        return None
    return min(found, key=lambda f: abs(f[2] - (offset or 0)))


def _constant_value(name: str, text: str) -> float:
    # a value given as arithmetic on numbers and constants: the expression parser, no variables
    shown = printable(text if len(text) <= 40 else text[:39] + "…")
    if not text:
        raise ValueError(f"{name}= has no value: give a number, as in {name}=2")
    try:
        expression = parse(text)
    except ExpressionError as error:
        raise ValueError(f"{name}={shown}: the value is not a number ({error.message})") from None
    if expression.variables == (text,):  # x=abc
        raise ValueError(f"{name}={shown}: {text!r} is not a number; give a number, or arithmetic on "
                         f"numbers and the constants {' and '.join(CONSTANTS)}")
    if expression.variables:
        used = ", ".join(expression.variables)
        raise ValueError(f"{name}={shown}: a value is a number or arithmetic on numbers and the constants "
                         f"{' and '.join(CONSTANTS)}, not on variables ({used})")
    try:
        return float(expression.build({})[0].data)
    except ExpressionError as error:
        raise ValueError(f"{name}={shown}: {error.message}") from None


def _check_characters(text: str) -> None:
    # Control characters (a NUL, an escape sequence) are never part of an expression;
    # Python's own messages for them are unclear ("source code string cannot contain null bytes")
    for k, ch in enumerate(text):
        if ch not in "\t\n\r" and unicodedata.category(ch) == "Cc":
            raise ExpressionError(f"the expression contains the control character {printable(ch)} "
                                  f"(U+{ord(ch):04X}); expressions are plain text", text, k)


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())


def _check_nesting(text: str) -> None:
    # Python's parser gives up on very deep nesting with errors that do not
    # point anywhere useful; refuse it first, in one linear scan.
    depth = 0
    run = 0
    for k, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        run = run + 1 if ch in "+-" else (run if ch.isspace() else 0)
        if depth > MAX_DEPTH or run > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep", text, k)


# Binary and unary operators and the keywords that chain like them; the sign
# of a number's exponent (1e-5) is not one.
_OPERATOR = re.compile(r"\*\*|//|<<|>>|(?<![0-9.][eE])[-+]|[*/%@&|^<>~]"
                       r"|\b(?:and|or|not|if|else|is|in|for|lambda)\b")


def _check_operators(text: str) -> None:
    count = len(_OPERATOR.findall(text))
    if count > MAX_OPERATORS:
        raise ExpressionError(f"the expression has {count:,} operators; the limit is {MAX_OPERATORS:,} "
                              f"(sum(a, b, ...) adds terms with none, as many as fit in {MAX_LENGTH:,} characters)")


def _check_node(node: ast.AST, text: str, variables: list[str]) -> None:
    where = _column(node)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            kind = "strings" if isinstance(node.value, (str, bytes)) else repr(node.value)
            raise _refused(kind, text, where)
        if isinstance(node.value, int) and abs(node.value) >= 2**1023 or (
                isinstance(node.value, float) and math.isinf(node.value)):
            raise ExpressionError("a number in the expression is too large for a float "
                                  "(beyond about 1.8e308)", text, where)
    elif isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return
        if _function_name(node.id) in FUNCTIONS:
            raise ExpressionError(f"{node.id} is a function: call it, as in {_usage(node.id)}", text, where)
        if node.id.startswith("__"):
            raise ExpressionError(f"the name {node.id!r} is not allowed", text, where)
        if node.id not in variables:
            variables.append(node.id)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            symbol = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
                      ast.LShift: "<<", ast.RShift: ">>"}
            if isinstance(node.op, ast.BitXor):
                raise ExpressionError("^ is not an operator here: use ** for powers, as in x**2", text, where)
            raise ExpressionError(f"the operator {symbol.get(type(node.op), '?')} is not supported; "
                                  "use + - * / **", text, where)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise ExpressionError("only unary - and + are supported", text, where)
    elif isinstance(node, ast.Call):
        _check_call(node, text)
    elif isinstance(node, ast.Subscript):
        _check_subscript(node, text)
    else:
        raise _refused(_REFUSED.get(type(node), type(node).__name__), text, where)


def _refused(what: str, text: str, where: int | None) -> ExpressionError:
    return ExpressionError(f"not allowed: {what}; an expression has only numbers, variables, "
                           "+ - * / ** and the op table's functions", text, where)


def _check_call(node: ast.Call, text: str) -> None:
    where = _column(node)
    if not isinstance(node.func, ast.Name):
        raise ExpressionError("only the op table's functions can be called, by name", text, where)
    name = node.func.id
    op = FUNCTIONS.get(_function_name(name))
    if op is None:
        names = [*FUNCTIONS, *ALIASES]
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(close)}?" if close else f"; the functions are {', '.join(names)}"
        raise ExpressionError(f"unknown function {name!r}{hint}", text, where)
    if op.arity == VARIADIC:
        if node.keywords or not node.args or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{name} takes one or more numbers: {_usage(name)}", text, where)
        if op.is_vector and getattr(node, "_subscripted", False) is not True:
            raise ExpressionError(f"{name}(...) is a vector: pick one output with [i], as in {_usage(name)}",
                                  text, where)
        return
    if op.arity == 2:
        if node.keywords or len(node.args) != 2 or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{name} takes two inputs: {_usage(name)}", text, where)
        return
    allowed = 1 + len(op.params)
    keywords = {k.arg for k in node.keywords}
    if (len(node.args) < 1 or len(node.args) + len(node.keywords) > allowed
            or not keywords <= set(op.params) or None in keywords):
        raise ExpressionError(f"{name} is called as {_usage(name)}", text, where)
    for param in [*node.args[1:], *(k.value for k in node.keywords)]:
        if not _is_number(param):
            raise ExpressionError(f"{name}'s {', '.join(op.params)} must be a number, as in "
                                  f"{name}(x, 0.2)", text, _column(param))


def _is_number(node: ast.AST) -> bool:
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _check_subscript(node: ast.Subscript, text: str) -> None:
    where = _column(node)
    target = node.value
    if not (isinstance(target, ast.Call) and isinstance(target.func, ast.Name)
            and target.func.id in FUNCTIONS and FUNCTIONS[target.func.id].is_vector):
        vectors = " and ".join(f"{name}(...)[i]" for name, op in FUNCTIONS.items() if op.is_vector)
        raise ExpressionError(f"only {vectors} can be indexed", text, where)
    index = node.slice
    n = len(target.args)
    if not (isinstance(index, ast.Constant) and type(index.value) is int and 0 <= index.value < n):
        raise ExpressionError(f"the index must be a whole number from 0 to {n - 1}", text, _column(index))
    target._subscripted = True  # type: ignore[attr-defined]


def _operands(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return [*node.args, *(k.value for k in node.keywords)]
    if isinstance(node, ast.Subscript):
        return [node.value]
    return []


def _apply(node: ast.AST, args: list[Any], leaves: dict[str, Value]) -> Any:
    if isinstance(node, ast.Constant):
        return float(node.value)  # type: ignore[arg-type]  # _check_node let only int and float through
    if isinstance(node, ast.Name):
        return CONSTANTS[node.id] if node.id in CONSTANTS else leaves[node.id]
    if isinstance(node, ast.BinOp):
        a, b = args
        if not isinstance(a, Value) and not isinstance(b, Value):
            a = Value(a)  # 2 ** 3: still a graph, with constants as leaves
        kind = type(node.op)
        if kind is ast.Add:
            return a + b
        if kind is ast.Sub:
            return a - b
        if kind is ast.Mult:
            return a * b
        if kind is ast.Div:
            return a / b
        return a**b
    if isinstance(node, ast.UnaryOp):
        (x,) = args
        return -x if isinstance(node.op, ast.USub) else x
    if isinstance(node, ast.Call):
        op = FUNCTIONS[_function_name(node.func.id)]  # type: ignore[attr-defined]
        if op.arity == VARIADIC:
            return apply(op, args)  # sum: a Value; a vector op: a list, the subscript picks one
        if op.arity == 2:
            return apply(op, *args)
        params = dict(zip(op.params, (float_of(a) for a in args[1:])))
        params.update({k.arg: float_of(v) for k, v in zip(node.keywords, args[1 + len(params):])
                       if k.arg is not None})  # (never None: _check_call refuses **kwargs)
        return apply(op, args[0], **params)
    if isinstance(node, ast.Subscript):
        (vector,) = args
        return vector[node.slice.value]  # type: ignore[attr-defined]
    raise AssertionError(f"unchecked node {type(node).__name__}")  # pragma: no cover


def _leaf(value: float | Value, name: str) -> Value:
    return value if isinstance(value, Value) else Value(float(value), label=name)


def _function_name(name: str) -> str:
    return ALIASES.get(name, name)


def signature(name: str) -> str:
    """How a function of the language (or an alias) is called, from its op table entry.

    Example:
        >>> signature("leaky_relu"), signature("softmax"), signature("sum"), signature("max")
        ('leaky_relu(x, alpha)', 'softmax(a, b, ...)[i]', 'sum(a, b, ...)', 'max(a, b)')
    """
    op = FUNCTIONS[_function_name(name)]
    if op.arity == VARIADIC:
        return f"{name}(a, b, ...)" + ("[i]" if op.is_vector else "")
    if op.arity == 2:
        return f"{name}({', '.join(op.inputs)})"
    return f"{name}(x{''.join(f', {p}' for p in op.params)})"


def _usage(name: str) -> str:
    # an example for error messages: concrete where the signature is abstract
    op = FUNCTIONS[_function_name(name)]
    if op.arity == VARIADIC:
        return f"{name}(a, b, c)" + ("[0]" if op.is_vector else "")
    return signature(name)


def _segment(lines: list[bytes], node: Any) -> str:
    """The source text of ``node``, like ast.get_source_segment but without
    splitting the whole text again for every node (that made building quadratic)."""
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        piece = lines[first][node.col_offset:node.end_col_offset]
    else:
        piece = b"".join([lines[first][node.col_offset:], *lines[first + 1:last],
                          lines[last][:node.end_col_offset]])
    return piece.decode("utf-8", errors="replace")


def _column(node: ast.AST) -> int | None:
    return getattr(node, "col_offset", None)
