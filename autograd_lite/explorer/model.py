"""A traced backward pass as data for the page: nodes, edges and steps, as JSON.

The page draws the graph once (one Graphviz SVG) and restyles it for each
step from this model, so everything the page says comes from here: what each
step sets (a node's data in the forward pass, parents' grads in the backward
pass), which node and edges it touches, and, per node, the explanation shown
when it is clicked (the step that set it, its local rule with numbers, its
gradient as the chain rule's sum over its consumers, a finite-difference check).

Example:
    >>> from autograd_lite import Value, backward_steps
    >>> x = Value(2.0, label="x"); y = x * x; y.label = "y"
    >>> model = trace_model(backward_steps(y))
    >>> [s["title"] for s in model["steps"]]
    ['Start: the inputs', 'Forward: y = x · x', 'Backward: the seed', 'Backward step 0: y sends its gradient to x', 'After the pass']
    >>> model["nodes"][0]["name"], model["nodes"][0]["grad"]
    ('x', 4.0)
"""

from __future__ import annotations

import math
from typing import Any

from ..core.ops import DomainError
from ..core.value import Value
from ..views.notation import format_number, grad_of, json_number, symbol
from ..views.steps import BackwardSteps, replay_forward

__all__ = ["FD_ALL_NODES", "json_number", "node_ids", "trace_model"]

#: graphs up to this size get a finite-difference check on every node; bigger ones on leaves only
FD_ALL_NODES = 600


def node_ids(order: list[Value]) -> dict[Value, str]:
    """The id each node has in the picture: ``n0, n1, …`` in topological order, as viz draws them."""
    return {node: f"n{k}" for k, node in enumerate(order)}


def _kind(node: Value, trace: BackwardSteps, parameter_ids: set[int]) -> str:
    if node is trace.root:
        return "output"
    if node.is_constant:
        return "constant"
    if id(node) in parameter_ids:
        return "parameter"
    return "input" if node.is_leaf else "intermediate"


def trace_model(trace: BackwardSteps) -> dict[str, Any]:
    """Everything the page needs to replay ``trace``, forward then backward, as plain JSON data."""
    order, names, root = trace.order, trace.names, trace.root
    ids = node_ids(order)
    parameter_ids = {id(p) for p in trace.parameters}
    ops = [n for n in order if not n.is_leaf]
    step_of = {s.node: s for s in trace}  # every op node has its backward step
    final = trace.grads_at(len(trace) - 1)
    estimates = _finite_differences(order)

    steps: list[dict[str, Any]] = []
    leaves = [n for n in order if n.is_leaf]
    steps.append({
        "phase": "start", "title": "Start: the inputs", "node": None, "edges": [],
        "data": {ids[n]: format_number(n.data) for n in leaves}, "grad": {},
        "text": "The inputs are given:\n" + "\n".join(
            f"  {names[n]} = {format_number(n.data)}" for n in leaves if not n.is_constant)
            + (f"\nThe forward pass computes {len(ops)} node{'s' if len(ops) != 1 else ''} "
               f"from them, each after its inputs." if ops else ""),
    })
    forward_step: dict[Value, int] = {n: 0 for n in leaves}
    for node in ops:
        forward_step[node] = len(steps)
        inputs = ", ".join(f"{names[p]} = {format_number(p.data)}" for p in _distinct(node.parents))
        steps.append({
            "phase": "forward", "title": f"Forward: {step_of[node].definition}",
            "node": ids[node], "edges": _edges_into(node, ids),
            "data": {ids[node]: format_number(node.data)}, "grad": {},
            "text": f"{step_of[node].definition} = {format_number(node.data)}\n"
                    f"  with {inputs}",
            # practice mode's question of this step: the node's value, from its parents' values
            "practice": [{"node": ids[node], "name": names[node], "definition": step_of[node].definition,
                          "parents": [ids[p] for p in _distinct(node.parents)],
                          "value": json_number(node.data), "valueText": format_number(node.data)}],
        })
    seed_grads = {ids[n]: format_number(g) for n, g in trace.grads_at(-1).items()}
    loss = trace.loss
    steps.append({
        "phase": "seed", "title": "Backward: the seed", "node": ids[root], "edges": [],
        "data": {}, "grad": seed_grads,
        "gradValues": {ids[n]: json_number(g) for n, g in trace.grads_at(-1).items()},
        "text": f"Backward starts at the output: ∂{loss}/∂{loss} = 1.\n"
                "It visits the nodes in reverse topological order, so each node's\n"
                "gradient is complete before its turn comes.",
    })
    backward_steps: dict[Value, list[int]] = {}
    rule_step: dict[Value, int] = {}  # the step at which a node's local derivatives are computed
    for s in trace:
        rule_step[s.node] = len(steps)
        for c in s.contributions:
            backward_steps.setdefault(c.parent, []).append(len(steps))
        steps.append({
            "phase": "backward",
            "title": f"Backward step {s.index}: {s.name} sends its gradient to {_names(s)}",
            "node": ids[s.node], "edges": _edges_into(s.node, ids),
            "data": {}, "grad": {ids[c.parent]: format_number(c.grad_after) for c in s.contributions},
            "gradValues": {ids[c.parent]: json_number(c.grad_after) for c in s.contributions},
            "text": str(s).split(": ", 1)[1],  # the page has one counter: drop the trace's own
            "practice": _practice(s, ids),
        })
    summary = ["Every gradient, as the chain rule's sum over the nodes that consume it:"]
    summary += ["  " + trace.grad_sum(leaf) for leaf in trace.leaves]
    if trace.leaves:
        summary += ["", "Each leaf's gradient beside a finite-difference estimate:"]
        for leaf, estimate in trace.finite_differences().items():
            g = trace.pass_grad(leaf)
            summary.append(f"  {names[leaf]}: backward {format_number(g)}, finite differences "
                           f"{format_number(estimate)} (they differ by {abs(g - estimate):.1e})")
    steps.append({"phase": "done", "title": "After the pass", "node": None, "edges": [],
                  "data": {}, "grad": {}, "text": "\n".join(summary)})

    seed_step = len(ops) + 1
    nodes = []
    for node in order:
        grad = final.get(node)
        received = backward_steps.get(node, [])
        explanation: dict[str, Any] = {
            "id": ids[node], "name": names[node], "symbol": symbol(names[node]),
            "kind": _kind(node, trace, parameter_ids),
            "op": node.op, "data": json_number(node.data), "dataText": format_number(node.data),
            "dataFull": repr(float(node.data)),
            "grad": None if grad is None else json_number(grad),
            "gradText": "—" if grad is None else format_number(grad),
            "gradFull": None if grad is None else repr(float(grad)),
            "setBy": forward_step[node],
            "gradSteps": received,
            # the step after which its grad is final: its last contribution (the output: the seed)
            "gradDone": seed_step if node is root else (received[-1] if received else None),
            "ruleStep": rule_step.get(node),
            "forward": step_of[node].definition if node in step_of else None,
            "rules": list(step_of[node].rules) if node in step_of else [],
            "chain": trace.grad_sum(node),
            "check": _check(node, trace, grad, estimates.get(node)),
        }
        nodes.append(explanation)
    # an edge's label (the local derivative) is computed at its consumer's backward step
    edges = [{"from": ids[p], "to": ids[n], "title": f"{ids[p]}->{ids[n]}_op", "step": rule_step.get(n)}
             for n in ops for p in _distinct(n.parents)]
    return {
        "title": f"Backward pass of {loss}", "loss": loss, "lossSymbol": symbol(loss), "value": json_number(root.data),
        "root": ids[root], "nodes": nodes, "edges": edges, "steps": steps,
        "tables": _tables(trace),
    }


def _practice(step: Any, ids: dict[Value, str]) -> list[dict[str, Any]]:
    """Practice mode's questions of one backward step, one per contribution: the local derivative
    and the parent's grad after the step, the rule for a hint (symbols, then the forward values
    put in, never the result), and the edge whose label shows the local derivative."""
    questions = []
    for rule, c in zip(step.rules, step.contributions):
        parts = rule.split(" = ")
        questions.append({
            "parent": ids[c.parent], "name": c.name, "node": ids[step.node],
            "edge": f"{ids[c.parent]}->{ids[step.node]}_op",
            "localLabel": parts[0], "gradLabel": grad_of(c.name),
            # label = symbols = numbers = result: the hint stops before the result; a rule whose
            # number is a forward value (∂(x*w)/∂x = w = -3) is shown whole
            "rule": " = ".join(parts[:3]),
            "localNumbers": parts[2] if len(parts) >= 3 else parts[-1],
            "local": json_number(c.local), "localText": format_number(c.local),
            "grad": json_number(c.grad_after), "gradText": format_number(c.grad_after),
            "before": json_number(c.grad_before), "beforeText": format_number(c.grad_before),
            "upstreamText": format_number(step.upstream),
        })
    return questions


def _names(step: Any) -> str:
    names = list(dict.fromkeys(c.name for c in step.contributions))
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _distinct(nodes: tuple[Value, ...]) -> list[Value]:
    seen: list[Value] = []
    for n in nodes:
        if not any(n is s for s in seen):
            seen.append(n)
    return seen


def _edges_into(node: Value, ids: dict[Value, str]) -> list[str]:
    """The picture's edge titles of ``node``'s op: each input into the op, and the op into the node."""
    return [f"{ids[p]}->{ids[node]}_op" for p in _distinct(node.parents)] + [f"{ids[node]}_op->{ids[node]}"]


def _check(node: Value, trace: BackwardSteps, grad: Any, estimate: float | None) -> dict[str, Any] | None:
    if node.is_constant or grad is None or estimate is None:
        return None
    # a leaf may hold gradient from an earlier pass; the check is about this one
    backward = trace.pass_grad(node) if node.is_leaf else float(grad)
    return {"backward": json_number(backward), "estimate": json_number(estimate),
            "difference": json_number(abs(backward - estimate)),
            "text": f"backward {format_number(backward)}, central difference {format_number(estimate)}, "
                    f"difference {abs(backward - estimate):.1e}"}


def _finite_differences(order: list[Value]) -> dict[Value, float]:
    """For every node t, (L(t + h) − L(t − h)) / 2h with t's value forced and its inputs held.

    Forcing an inner node's value and replaying only what comes after it
    estimates ∂L/∂t, the number backward leaves in ``t.grad``. A move that
    leaves an op's domain gives NaN.
    """
    estimates = {}
    big = len(order) > FD_ALL_NODES  # each estimate replays the graph: quadratic in its size
    for node in order:
        if node.is_constant or (big and not node.is_leaf):
            continue
        h = 1e-6 * max(1.0, abs(node.data))
        try:
            up = replay_forward(order, node, node.data + h)
            down = replay_forward(order, node, node.data - h)
            estimates[node] = (up - down) / (2 * h)
        except (DomainError, OverflowError, ZeroDivisionError):
            estimates[node] = math.nan
    return estimates


def _tables(trace: BackwardSteps) -> dict[str, Any]:
    """The evaluation trace as two tables: the forward pass, then the backward pass.

    Each row's ``steps`` entry is the page step from which it is known: the
    page shows a row only from then on. The backward table numbers its rows
    as the trace and ``--steps`` do (backward step 0 is the output's).
    """
    names = trace.names
    step_of = {s.node: s for s in trace}
    ops = [n for n in trace.order if not n.is_leaf]
    forward_step = {n: k + 1 for k, n in enumerate(ops)}
    shown = [n for n in trace.order if not n.is_constant]
    forward = [[names[n], "given" if n.is_leaf else step_of[n].forward, format_number(n.data)] for n in shown]
    loss = trace.loss
    backward = [[str(s.index), s.name, format_number(s.upstream),
                 ", ".join(f"∂{symbol(s.name)}/∂{symbol(c.name)} = {format_number(c.local)}"
                           for c in s.contributions),
                 ", ".join(f"{grad_of(c.name)} = {format_number(c.grad_after)}" for c in s.contributions)]
                for s in trace]
    first_backward = len(ops) + 2  # after the inputs, the forward steps and the seed
    return {
        "forward": {"head": ["node", "computed as", "value"], "rows": forward,
                    "steps": [forward_step.get(n, 0) for n in shown]},
        "backward": {"head": ["backward step", "node", f"∂{loss}/∂node", "local derivatives",
                              "parents' grads after"],
                     "rows": backward, "steps": [first_backward + s.index for s in trace]},
    }
