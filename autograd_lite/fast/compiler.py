"""compile: a recorded graph as straight-line Python source, replayed on new inputs.

:func:`compile` turns a recorded graph into Python source, one line per node
for the forward and one line per edge for the backward, written from the op
table's rule text (``Op.rule_source``), and runs it on new input values: no
graph is built, which makes a fixed-structure training step many times faster.
The source is compiled under a file name of its own and registered with
:mod:`linecache`, so tracebacks, ``pdb`` and :func:`inspect.getsource` show it.

Example:
    >>> from autograd_lite import Value, compile
    >>> x = Value(2.0, label="x"); y = x * x + 1
    >>> program = compile(y, [x])
    >>> program(3.0).value, program(3.0).gradients
    (10.0, (6.0,))
"""


from __future__ import annotations

import ast
import builtins
import itertools
import keyword
import math
import re
import weakref
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from ..core import rules
from ..core.generated import compile_generated, forget_generated
from ..core.ops import OPS, RULE_VOCABULARY, VARIADIC
from ..core.value import Value, as_float, topological_order

__all__ = ["Program", "Replay", "StructureChanged", "checked_inputs", "compile", "describe_nodes"]

def describe_nodes(nodes: Sequence[Value]) -> str:
    return ", ".join(repr(n.label) if n.label else f"a Value of {n.data!r}" for n in nodes[:5]) + (
        f" and {len(nodes) - 5} more" if len(nodes) > 5 else "")


def checked_inputs(root: Value, inputs: Sequence[Value], what: str, all_variables: bool = True,
                    order: list[Value] | None = None) -> list[Value]:
    if isinstance(inputs, Value) or not isinstance(inputs, Sequence):
        raise TypeError(f"{what}: inputs is a list of the graph's leaf Values")
    inputs = list(inputs)
    graph = set(topological_order(root) if order is None else order)
    for x in inputs:
        if not isinstance(x, Value):
            raise TypeError(f"{what}: inputs must be Values, got {type(x).__name__}")
        if not x.is_leaf:
            raise ValueError(f"{what}: an input must be a leaf, but {describe_nodes([x])} was computed "
                             f"by {x.op}")
        if x not in graph:
            raise ValueError(f"{what}: the input {describe_nodes([x])} is not in the graph of the output")
    if len(set(inputs)) != len(inputs):
        raise ValueError(f"{what}: an input is listed twice")
    given = set(inputs)
    missing = [n for n in graph if n.is_leaf and not n.is_constant and n not in given]
    if missing and all_variables:
        raise ValueError(f"{what}: the graph has variables that are not among the inputs: "
                         f"{describe_nodes(missing)}; list them too (a plain number stays a constant)")
    return inputs


# ---------------------------------------------------------------------------
# compile: a recorded graph as straight-line Python source


class StructureChanged(ValueError):
    """A graph built on new inputs differs from the compiled one: replay would be wrong."""


class Replay(NamedTuple):
    """What a :class:`Program` call returns."""

    value: float  #: the output's value
    gradients: tuple[float, ...]  #: ∂output/∂input for each input in ``wrt``, in order
    outputs: tuple[float, ...]  #: the values of the nodes given as ``outputs`` to compile


_PROGRAM_NUMBERS = itertools.count(1)  # each program's source has a file name of its own
_INFIX = {"add": "+", "sub": "-", "mul": "*"}  # Python's own operators: the same float arithmetic
_NAMESPACE_BASE: dict[str, Any] = {**vars(rules), "inf": math.inf, "nan": math.nan}
_RESERVED = (set(_NAMESPACE_BASE) | set(keyword.kwlist) | set(dir(builtins)) | {"program"}
             | set(OPS) | {f"{name}_rule" for name in OPS})


class _Names:
    """Python names for nodes: labels where there are labels, else v1, v2, …; all distinct."""

    def __init__(self, reserved: set[str]) -> None:
        self.taken = set(reserved)
        self.count = 0

    def new(self, wanted: str | None, fallback: str) -> str:
        if wanted:
            name = re.sub(r"\W", "_", wanted)
            if not name or name[0].isdigit():
                name = "_" + name
        else:
            self.count += 1
            name = f"{fallback}{self.count}"
        base, k = name, 1
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name


def _rule_template(op: Any, k: int) -> tuple[str, str]:
    """The op table's rule text for input k as a format string in out, in0, in1, param0, …

    With its kind: "one" (the rule is 1.0), "minus" (−1.0), "simple" (one name or
    call: no parentheses needed around it) or "compound". Cached per op.
    """
    cache = _TEMPLATES.setdefault(op, {})
    if k not in cache:
        source = op.rule_source
        expr = source[0] if op.arity == VARIADIC else source[k]
        tree = ast.parse(expr, mode="eval")
        names = {"out": "out", "a_j": "in0", "b_j": "in1"}  # b_j: a paired op's partner input (dot)
        names.update({name: f"in{j}" for j, name in enumerate(op.inputs)})
        names.update({name: f"param{j}" for j, name in enumerate(op.params)})
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in names:
                node.id = f"__{names[node.id]}__"
        text = ast.unparse(tree).replace("{", "{{").replace("}", "}}")
        text = re.sub(r"__(out|in\d+|param\d+)__", r"{\1}", text)
        body = tree.body
        if isinstance(body, ast.Constant) and body.value == 1.0:
            kind = "one"
        elif isinstance(body, ast.Constant) and body.value == -1.0 or (
                isinstance(body, ast.UnaryOp) and isinstance(body.op, ast.USub)
                and isinstance(body.operand, ast.Constant) and body.operand.value == 1.0):
            kind = "minus"
        elif isinstance(body, (ast.Name, ast.Call, ast.Constant, ast.Subscript)):
            kind = "simple"
        else:
            kind = "compound"
        cache[k] = (text, kind)
    return cache[k]


_TEMPLATES: dict[Any, dict[int, tuple[str, str]]] = {}


class Program:
    """A recorded graph as straight-line Python: ``program(*inputs)`` gives value and gradients.

    Made by :func:`compile`. ``source`` is the generated function: the forward,
    one line per node, then the backward, one line per edge, each the op
    table's rule text with the node's names put in, in the order ``backward()``
    applies them (so the gradients are the same floats). ``inputs`` are the
    input names in argument order, ``wrt`` those whose gradients are returned.
    Calling it returns a :class:`Replay` ``(value, gradients, outputs)``.

    What replay assumes, and what it checks: the program is the graph that was
    recorded, so it is right on new inputs only if the same code would build
    the same graph there. It cannot see Python branches on values (``if x >
    0``), nor numbers taken out of Values (``x.data``, ``float(x)``) that went
    back in as constants: those are baked in as they were. Ops whose derivative
    has a kink (relu, abs) are fine: their rules are evaluated afresh. Domain
    errors (log of a negative) are raised as the op table raises them.
    :meth:`check` compares a graph built on new inputs line by line and raises
    :class:`StructureChanged` where it differs: use it when in doubt.
    """

    def __init__(self, source: str, function: Callable[..., Any], inputs: list[str], wrt: list[str],
                 forward: list[str], n_backward: int) -> None:
        self.source = source
        self.function = function
        self.inputs = inputs
        self.wrt = wrt
        self._forward = forward
        self.n_forward = len(forward)
        self.n_backward = n_backward

    def __call__(self, *values: Any) -> Replay:
        if len(values) != len(self.inputs):
            names = ", ".join(self.inputs[:8]) + (", …" if len(self.inputs) > 8 else "")
            raise TypeError(f"this program takes {len(self.inputs)} inputs ({names}), got {len(values)}")
        for v in values:
            if v.__class__ is not float:
                values = tuple(as_float(x, f"program input {name}") for x, name in zip(values, self.inputs))
                break
        return Replay(*self.function(*values))

    def check(self, root: Value, inputs: Sequence[Value] | None = None) -> None:
        """Raise :class:`StructureChanged` unless ``root``'s graph gives this program, line for line.

        Build the graph again on new inputs (with the same code) and pass its
        output, and its inputs in the order given to :func:`compile` if they
        were given there. Constants are compared too: a number taken out of a
        Value (``x.data``) shows up here as a changed constant.

        Example:
            >>> x = Value(2.0, label="x")
            >>> program = compile(x * x if x.data > 0 else -x)
            >>> x2 = Value(-1.0, label="x")
            >>> program.check(x2 * x2 if x2.data > 0 else -x2)
            Traceback (most recent call last):
            ...
            autograd_lite.fast.compiler.StructureChanged: line 1 of the forward is `v1 = x * x`, but the graph built on the new inputs gives `v1 = -x`: the graph's structure depends on the data, and replay would be wrong there
        """
        if not isinstance(root, Value):
            raise TypeError(f"check takes the output Value of a newly built graph, got {type(root).__name__}")
        order = topological_order(root)
        if inputs is None:
            inputs = [n for n in order if n.is_leaf and not n.is_constant]
        else:
            inputs = checked_inputs(root, inputs, "check", order=order)
        _, name, _, forward, _ = _forward(order, inputs)
        if [name[x] for x in inputs] != self.inputs:
            raise StructureChanged(f"the new graph's inputs are ({', '.join(name[x] for x in inputs)}), "
                                   f"the program's ({', '.join(self.inputs)})")
        for k, (old, new) in enumerate(zip(self._forward, forward), start=1):
            if old != new:
                raise StructureChanged(
                    f"line {k} of the forward is `{_plain(old)}`, but the graph built on the new inputs "
                    f"gives `{_plain(new)}`: the graph's structure depends on the data, and replay would "
                    "be wrong there")
        if len(forward) != len(self._forward):
            raise StructureChanged(f"the new graph has {len(forward)} nodes and the program {len(self._forward)}: "
                                   "the graph's structure depends on the data, and replay would be wrong there")

    def __repr__(self) -> str:
        return (f"<Program: {len(self.inputs)} inputs, {self.n_forward} forward lines, "
                f"{self.n_backward} backward lines>")


def compile(root: Value, inputs: Sequence[Value] | None = None, *, wrt: Sequence[Value] | None = None,
            outputs: Sequence[Value] = ()) -> Program:
    """A recorded graph as a :class:`Program`: readable Python source, replayable on new inputs.

    ``inputs`` are the leaves the program takes, in argument order; by
    default every leaf made with ``Value(...)``, in the order the graph
    reaches them. Every such leaf must be an input: a number that came from
    data must reach the graph as a Value. Plain numbers in operators
    (``x * 2``) are the program's constants. ``wrt`` (default: all inputs)
    are those whose gradients the program returns; ``outputs`` are further
    nodes whose values it returns (a model's scores, say). Gradients are
    computed only where some ``wrt`` input lies upstream.

    Ops whose rule is text (``Op.rule_source``) are written out in the
    source, so the op table stays the one place a rule is written; ops whose
    rule is a function (softmax's Jacobian rows) are called through the table:
    ``d = softmax_rule(out, (a, b, c), i)`` and one line per input.

    Example:
        >>> x = Value(2.0, label="x"); w = Value(-3.0, label="w")
        >>> y = (x * w).tanh(); y.label = "y"
        >>> program = compile(y)
        >>> print(program.source)
        def program(x, w):
            # forward: one line per node
            v1 = x * w
            y = tanh(v1)
            # backward: the chain rule, from the output back (the op table's rules)
            grad_y = 1.0
            grad_v1 = grad_y * (1.0 - y * y)
            grad_x = grad_v1 * w
            grad_w = grad_v1 * x
            return y, (grad_x, grad_w), ()
        >>> value, (gx, gw), _ = program(1.0, 0.5)   # new inputs, no graph built
        >>> value == math.tanh(0.5)
        True
    """
    if not isinstance(root, Value):
        raise TypeError(f"compile takes the output Value of a recorded graph, got {type(root).__name__}")
    order = topological_order(root)
    if inputs is None:
        inputs = [n for n in order if n.is_leaf and not n.is_constant]
    else:
        inputs = checked_inputs(root, inputs, "compile", order=order)
    input_set = set(inputs)
    if wrt is None:
        wrt = list(inputs)
    else:
        wrt = list(wrt)
        strangers = [x for x in wrt if x not in input_set]
        if strangers:
            raise ValueError(f"compile: wrt must be among the inputs; {describe_nodes(strangers)} is not")
    in_graph = set(order)
    extra = list(outputs)
    for o in extra:
        if not isinstance(o, Value) or o not in in_graph:
            raise ValueError("compile: every one of outputs must be a node of the output's graph")

    body, name, names, forward, namespace = _forward(order, inputs)
    def ref(node: Value) -> str:
        return name[node] if node in name else _literal(node.data)

    # gradients only where a wrt input is upstream
    needs: set[Value] = set(wrt)
    for node in body:
        if any(p in needs for p in node.parents):
            needs.add(node)
    # A node whose one consumer passes its gradient on unchanged (a term of + or Σ)
    # shares that gradient's name: no line "grad_t = grad_s" to read or to run.
    consumers: dict[Value, int] = {}
    for node in body:
        if node in needs:
            for p in node.parents:
                consumers[p] = consumers.get(p, 0) + 1
    grad_name: dict[Value, str] = {}

    def gradient_of(n: Value) -> str:
        if n not in grad_name:
            token = _TOKEN.fullmatch(name[n])
            grad_name[n] = f"\x01g{token.group(2)}\x02" if token else names.new(f"grad_{name[n]}", "grad")
        return grad_name[n]

    backward = []
    if root in needs:
        backward.append(f"    {gradient_of(root)} = 1.0")
    assigned = {root}
    for node in reversed(body):
        if node not in needs:
            continue
        op = node.op_entry
        assert op is not None
        base = op.op
        g = grad_name[node]
        parents = node.parents
        params = [_literal(a) if isinstance(a, float) else repr(a) for a in op.args]
        variadic = base.arity == VARIADIC
        rule_call = None
        for k, parent in enumerate(parents):
            if parent not in needs:
                continue
            if base.rule_source is not None:
                template, kind = _rule_template(base, k)
                if kind == "one" and consumers[parent] == 1 and not parent.is_leaf:
                    grad_name[parent] = g
                    assigned.add(parent)
                    continue
                if kind == "one":
                    term = g
                elif kind == "minus":
                    term = f"-{g}"
                else:
                    fill = {"out": name[node]}
                    operands = parents if not variadic else (parent, parents[k ^ 1]) if base.paired else (parent,)
                    for j, q in enumerate(operands):
                        fill[f"in{j}"] = ref(q) if q in name else _literal(q.data)
                    for j, text in enumerate(params):
                        fill[f"param{j}"] = text
                    expr = template.format(**fill)
                    term = f"{g} * {expr}" if kind == "simple" else f"{g} * ({expr})"
            else:
                if rule_call is None:
                    rule_name = f"{base.name}_rule"
                    namespace[rule_name] = base.rule
                    token = _TOKEN.fullmatch(name[node])
                    rule_call = f"\x01d{token.group(2)}\x02" if token else names.new(f"d_{name[node]}", "d")
                    args = ", ".join(ref(p) for p in parents)
                    extra_args = "".join(f", {p}" for p in params)
                    backward.append(f"    {rule_call} = {rule_name}({name[node]}, ({args},){extra_args})")
                term = f"{g} * {rule_call}[{k}]"
            if parent in assigned:
                backward.append(f"    {grad_name[parent]} += {term}")
            else:
                backward.append(f"    {gradient_of(parent)} = {term}")
                assigned.add(parent)
    results = ", ".join(grad_name[x] if x in assigned else "0.0" for x in wrt)
    watched = ", ".join(ref(o) for o in extra)
    ret = (f"    return {ref(root)}, ({results}{',' if len(wrt) == 1 else ''}), "
           f"({watched}{',' if len(extra) == 1 else ''})")
    scratch = len(body) > SCRATCH_NAMES_ABOVE
    named = _name_tokens([*forward, *backward, ret], names, scratch)
    header = [("# t1, t2, … and g1, g2, … are scratch names, each reused once the value it held is "
              "no longer needed")] if scratch else []
    lines = [*header, f"def program({', '.join(name[x] for x in inputs)}):",
             "    # forward: one line per node", *named[:len(forward)],
             "    # backward: the chain rule, from the output back (the op table's rules)",
             *named[len(forward):]]
    source = "\n".join(lines)
    # our own generated source (names we made, rules from our table), under a name of its own so
    # that tracebacks, pdb and inspect.getsource show it; linecache forgets it with the program
    what = f"compiled program {next(_PROGRAM_NUMBERS)} ({len(order)} nodes)"
    function = compile_generated(source, what, namespace)["program"]
    program = Program(source, function, [name[x] for x in inputs], [name[x] for x in wrt], forward,
                      len(backward))
    weakref.finalize(program, forget_generated, what)
    return program


def _forward(order: list[Value], inputs: Sequence[Value]
             ) -> tuple[list[Value], dict[Value, str], _Names, list[str], dict[str, Any]]:
    """Names for every input and node, and the forward lines: one per node."""
    body = [n for n in order if not n.is_leaf]
    op_names = {n.op_entry.op.name for n in body}  # type: ignore[union-attr]
    names = _Names(_RESERVED | op_names | {f"{n}_rule" for n in op_names})
    name: dict[Value, str] = {}
    for x in inputs:
        name[x] = names.new(x.label, "x")
    namespace = dict(_NAMESPACE_BASE)
    forward: list[str] = []
    count = 0
    for node in body:
        if node.label:
            name[node] = names.new(node.label, "v")
        else:  # a token, named at the end: v1, v2, … or, in a big program, a reused scratch name
            count += 1
            name[node] = f"\x01v{count}\x02"
        forward.append(f"    {name[node]} = {_forward_expression(node, name, namespace)}")
    return body, name, names, forward, namespace


#: programs with more nodes than this reuse scratch names for dead values (see _name_tokens)
SCRATCH_NAMES_ABOVE = 1000
_TOKEN = re.compile("\x01([vgd])(\\d+)\x02")
_ANY_TOKEN = re.compile("\x01[vgd]\\d+\x02")
_DEFINES = re.compile("    (\x01[vgd]\\d+\x02) = ")
_STABLE = {"v": "v{}", "g": "grad_v{}", "d": "d_v{}"}


def _plain(line: str) -> str:
    """A forward line with its tokens written v1, v2, … (for messages)."""
    return _TOKEN.sub(lambda m: _STABLE[m.group(1)].format(m.group(2)), line).strip()


def _name_tokens(lines: list[str], names: _Names, scratch: bool) -> list[str]:
    """Give the unlabelled nodes' values (v), gradients (g) and rule rows (d) their names.

    A small program names every node for good: ``v3`` and its gradient ``grad_v3``.
    A big one reuses a few scratch names, ``t1 … tk`` and ``g1 … gk``, each
    taken again once the value it held has had its last use: a Python function
    with 100,000 local variables runs several times slower than one with a few
    thousand (its frame no longer fits in the processor's caches), and compiles
    slower too. Every node still has its own line.
    """
    if not scratch:
        stable: dict[str, str] = {}

        def fixed(m: re.Match[str]) -> str:
            key = m.group(0)
            if key not in stable:
                stable[key] = names.new(_STABLE[m.group(1)].format(m.group(2)), "v")
            return stable[key]

        return [_TOKEN.sub(fixed, line) for line in lines]
    find = _ANY_TOKEN.findall
    last: dict[str, int] = {}
    for i, line in enumerate(lines):
        for key in find(line):
            last[key] = i
    pools: dict[str, list[str]] = {"v": [], "g": [], "d": []}
    made = {"v": 0, "g": 0, "d": 0}
    prefix = {"v": "t", "g": "g", "d": "d"}
    current: dict[str, str] = {}
    out = []
    for i, line in enumerate(lines):
        keys = set(find(line))  # a set: a * a frees a once
        target = _DEFINES.match(line)
        new = target.group(1) if target and target.group(1) not in current else None
        for key in keys:
            if key != new and last[key] == i:  # its last use: free the name
                pools[key[1]].append(current[key])
        if new is not None:
            kind = new[1]
            if pools[kind]:
                current[new] = pools[kind].pop()
            else:
                made[kind] += 1
                current[new] = names.new(f"{prefix[kind]}{made[kind]}", prefix[kind])
            if last[new] == i:  # never used again: free at once
                pools[kind].append(current[new])
        for key in keys:
            line = line.replace(key, current[key])
        out.append(line)
    return out


def _literal(x: Any) -> str:
    if isinstance(x, int):
        return repr(x)
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "(-inf)"
    text = repr(x)
    return f"({text})" if x < 0 or text.startswith("-") else text


def _forward_expression(node: Value, name: dict[Value, str], namespace: dict[str, Any]) -> str:
    op = node.op_entry
    assert op is not None
    base = op.op

    def ref(p: Value) -> str:
        return name[p] if p in name else _literal(p.data)

    parents = node.parents
    if base.dunder in _INFIX and base.arity == 2:
        return f"{ref(parents[0])} {_INFIX[base.dunder]} {ref(parents[1])}"
    if base.name == "neg":
        return f"-{ref(parents[0])}"
    known = namespace.get(base.name)
    # The rules' vocabulary (exp, sigmoid, …) agrees with the ops' forwards on floats
    # (tests pin it), so a forward may take its name; any other clash is an error.
    if known is not None and known is not base.forward and base.name not in RULE_VOCABULARY:
        raise ValueError(f"compile: two different ops are called {base.name!r}")
    namespace[base.name] = base.forward
    params = "".join(f", {_literal(a) if isinstance(a, float) else repr(a)}" for a in op.args)
    if base.arity == VARIADIC:
        args = ", ".join(ref(p) for p in parents)
        if base.is_vector:
            *rest, i = op.args
            rest_params = "".join(f", {_literal(a)}" for a in rest)
            return f"{base.name}(({args},){rest_params})[{i}]"
        return f"{base.name}(({args},){params})"
    return f"{base.name}({', '.join(ref(p) for p in parents)}{params})"
