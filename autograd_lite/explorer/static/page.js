/* autograd_lite's explorer, the page controller: one Graphviz SVG restyled per step from a JSON model.
 *
 * The model (built by autograd_lite/explorer/model.py) lists the nodes, the
 * edges and the steps: a start step (the inputs), one step per forward
 * computation, the seed, one step per backward step, and a summary. Each step
 * says which node and edges it touches and which "data" and "grad" texts it
 * sets; the page shows step k by replaying steps 0..k onto the one picture.
 * Everything user-supplied is put in with textContent, never as markup.
 *
 * This file is the whole static page (autograd-lite EXPR --html). The live
 * app (live.js: the form, the sliders, the link) runs on top of it through
 * window.autogradExplorer, in `serve`'s page and in the browser-only site.
 */
(function () {
  "use strict";
  var live = EXPLORER_MODE !== "static";   // "live" (serve) or "site" (the browser-only site)
  var $ = function (id) { return document.getElementById(id); };
  var model = null;        // the current model
  var current = 0;         // the step shown
  var selected = null;     // the id of the node whose explanation is shown
  var timer = null;        // play/pause
  var svg = null, home = null, view = null;   // the picture and its viewBox (home: the whole graph)
  var groups = {};         // node id -> its SVG group (g.node)
  var texts = {};          // node id -> {data: <text>, grad: <text>}
  var edgeGroups = {};     // edge title "n0->n2_op" -> [SVG groups]
  var boxGroups = {};      // a collapsed scope's box id -> its SVG group
  var states = [];         // the pictures: one, or one per state of the collapsed scopes
  var state = 0;           // the picture shown
  var pictures = {};       // state -> its parsed picture, kept to switch back without parsing again
  var liveState = null;    // the live app's picture state, from the engine
  var hooks = { request: null, shown: null };   // set by live.js: ask the engine again; a step was shown
  var edgeLabels = [];     // the edges' "= number" labels (local derivatives): {el, title, text}
  var boxTexts = [];       // the collapsed scopes' "grad ..." texts: {el, text}
  var practice = null;     // practice mode: null when off (see "practice" below)

  if (live) document.body.classList.add("live");

  // --- the picture ------------------------------------------------------------------
  function titleOf(g) {
    var t = g.querySelector(":scope > title");
    return t ? t.textContent.trim() : "";
  }

  function lastText(g, prefix) {
    var found = null;
    g.querySelectorAll("text").forEach(function (t) {
      if (t.textContent.indexOf(prefix) === 0) found = t;
    });
    return found;
  }

  function currentState() {
    return live ? liveState : states[state];
  }

  function indexPicture() {
    groups = {}; texts = {}; edgeGroups = {}; boxGroups = {};
    svg = $("graph").querySelector("svg");
    if (!svg || !model) { svg = null; return; }
    var byName = {};
    model.nodes.forEach(function (n) { byName[n.id] = n; });
    var st = currentState() || { boxes: {}, boxOf: {} };
    svg.querySelectorAll("g.node").forEach(function (g) {
      var id = titleOf(g);
      var box = st.boxes[id];
      if (box) {   // a collapsed scope
        boxGroups[id] = g;
        g.setAttribute("data-box", id);
        g.setAttribute("data-testid", "scope-" + box.path);
        g.classList.toggle("al-openable", box.open !== null);
        return;
      }
      var owner = id.replace(/_op$/, "");
      var node = byName[owner];
      if (!node) return;     // the legend
      if (id === owner) {
        groups[id] = g;
        g.setAttribute("data-testid", "node-" + node.name);
        texts[id] = { data: lastText(g, "data "), grad: lastText(g, "grad ") };
      } else {
        g.setAttribute("data-testid", "op-" + node.name);
      }
      g.setAttribute("data-node", owner);
    });
    edgeLabels = []; boxTexts = [];
    svg.querySelectorAll("g.edge").forEach(function (g) {
      // an edge from a value drawn again beside a far use ("n0_use7->n7_op") is n0's edge
      var t = titleOf(g).replace(/_use\d+(?=->)/, "");
      (edgeGroups[t] = edgeGroups[t] || []).push(g);
      g.querySelectorAll("text").forEach(function (e) {
        if (e.textContent.indexOf("= ") === 0) edgeLabels.push({ el: e, title: t, text: e.textContent });
      });
    });
    Object.keys(boxGroups).forEach(function (id) {
      boxGroups[id].querySelectorAll("text").forEach(function (e) {
        if (e.textContent.indexOf("grad ") === 0) boxTexts.push({ el: e, text: e.textContent });
      });
    });
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    var vb = svg.viewBox.baseVal;
    home = { x: vb.x, y: vb.y, w: vb.width, h: vb.height };
  }

  // --- zoom and pan: the viewBox is the camera ----------------------------------
  function setView(v) {
    view = v;
    svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].join(" "));
  }

  function pixelsPerUnit() {
    var box = $("graph").getBoundingClientRect();
    return Math.min(box.width / view.w, box.height / view.h);
  }

  function svgPoint(clientX, clientY) {
    var box = $("graph").getBoundingClientRect(), s = pixelsPerUnit();
    // with "meet" the drawing is centred: undo the centring offset
    var ox = (box.width - view.w * s) / 2, oy = (box.height - view.h * s) / 2;
    return { x: view.x + (clientX - box.left - ox) / s, y: view.y + (clientY - box.top - oy) / s };
  }

  function zoom(factor, clientX, clientY) {
    if (!svg) return;
    var box = $("graph").getBoundingClientRect();
    if (clientX === undefined) { clientX = box.left + box.width / 2; clientY = box.top + box.height / 2; }
    var s = pixelsPerUnit() * factor;
    var minS = Math.min(box.width / home.w, box.height / home.h) / 2, maxS = 8;
    s = Math.max(minS, Math.min(maxS, s));
    var p = svgPoint(clientX, clientY);
    var w = box.width / s, h = box.height / s;
    var fx = (clientX - box.left) / box.width, fy = (clientY - box.top) / box.height;
    setView({ x: p.x - fx * w, y: p.y - fy * h, w: w, h: h });
  }

  function fit() {
    if (!svg) return;
    var box = $("graph").getBoundingClientRect();
    var s = Math.min(box.width / home.w, box.height / home.h, 2);  // a tiny graph need not fill the screen
    var w = box.width / s, h = box.height / s;
    setView({ x: home.x - (w - home.w) / 2, y: home.y - (h - home.h) / 2, w: w, h: h });
  }

  // The first view: the whole graph if its text is readable that way, else
  // readable text (11 pt drawn at 10 px) around the first node the forward pass computes.
  function firstView() {
    fit();
    if (pixelsPerUnit() * 11 >= 8.5) return;
    var box = $("graph").getBoundingClientRect();
    var s = 10 / 11, w = box.width / s, h = box.height / s;
    setView({ x: home.x, y: home.y, w: w, h: h });
    var first = null;
    model.steps.forEach(function (step) { if (!first && step.phase === "forward") first = step.node; });
    var g = first && (groups[first] || boxGroups[(currentState() || { boxOf: {} }).boxOf[first]]);
    if (!g) return;
    var r = g.getBoundingClientRect();   // put it a third of the way in, where its inputs show too
    var x = view.x + (r.left + r.width / 2 - box.left - box.width * 0.4) / s;
    var y = view.y + (r.top + r.height / 2 - box.top - box.height / 3) / s;
    var clamp = function (v, lo, size, span) { return Math.max(lo, Math.min(v, lo + Math.max(0, size - span))); };
    setView({ x: clamp(x, home.x, home.w, w), y: clamp(y, home.y, home.h, h), w: w, h: h });
  }

  // Keep the step's node in sight: move the camera only as far as needed, and not at all when it is.
  function follow(id) {
    var g = groups[id] || boxGroups[id];
    if (!g || !svg) return;
    var r = g.getBoundingClientRect(), box = $("graph").getBoundingClientRect(), m = 12;
    var dx = 0, dy = 0;   // in screen pixels
    if (r.width + 2 * m > box.width || r.left < box.left + m) dx = r.left - box.left - m;
    else if (r.right > box.right - m) dx = r.right - box.right + m;
    if (r.height + 2 * m > box.height || r.top < box.top + m) dy = r.top - box.top - m;
    else if (r.bottom > box.bottom - m) dy = r.bottom - box.bottom + m;
    if (dx || dy) {
      var s = pixelsPerUnit();
      setView({ x: view.x + dx / s, y: view.y + dy / s, w: view.w, h: view.h });
    }
  }

  var drag = null, dragged = false;
  function startDrag(e) {
    if (!svg || e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, view: view };
    dragged = false;
  }
  function moveDrag(e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!dragged && Math.abs(dx) + Math.abs(dy) < 4) return;
    dragged = true;
    $("graph").classList.add("dragging");
    var s = pixelsPerUnit();
    setView({ x: drag.view.x - dx / s, y: drag.view.y - dy / s, w: drag.view.w, h: drag.view.h });
  }
  function endDrag() {
    drag = null;
    $("graph").classList.remove("dragging");
  }

  // --- steps ----------------------------------------------------------------------
  function stateAt(k) {
    var data = {}, grad = {};
    for (var i = 0; i <= k; i++) {
      var s = model.steps[i];
      Object.keys(s.data).forEach(function (id) { data[id] = s.data[id]; });
      Object.keys(s.grad).forEach(function (id) { grad[id] = s.grad[id]; });
    }
    return { data: data, grad: grad };
  }

  function show(k) {
    if (!model || !model.steps.length) return;
    var last = model.steps.length - 1;
    current = Math.max(0, Math.min(last, k));
    var step = model.steps[current];
    var state = stateAt(current);
    Object.keys(groups).forEach(function (id) {
      var g = groups[id], t = texts[id];
      var hasData = id in state.data;
      if (t.data) {
        t.data.textContent = "data " + (hasData ? state.data[id] : "—");
        t.data.classList.toggle("al-changed", id in step.data);
      }
      if (t.grad) {
        t.grad.textContent = "grad " + (!(id in state.grad) ? "—" : practice && !gradKnown(id, current) ? "?" :
          state.grad[id]);
        t.grad.classList.toggle("al-changed", id in step.grad);
      }
      g.classList.toggle("al-pending", !hasData);
      g.classList.toggle("al-active", step.node === id);
    });
    var st = currentState(), activeBox = st && step.node ? st.boxOf[step.node] : null;
    Object.keys(boxGroups).forEach(function (id) { boxGroups[id].classList.toggle("al-active", id === activeBox); });
    svg && svg.querySelectorAll("g.node").forEach(function (g) {   // op nodes follow their output
      if (/_op$/.test(titleOf(g))) {
        var owner = g.getAttribute("data-node");
        g.classList.toggle("al-active", step.node === owner);
        g.classList.toggle("al-pending", !(owner in state.data));
      }
    });
    var hot = {};
    step.edges.forEach(function (t) { hot[t] = true; });
    Object.keys(edgeGroups).forEach(function (t) {
      edgeGroups[t].forEach(function (g) { g.classList.toggle("al-hot", !!hot[t]); });
    });
    $("step").textContent = "Step " + current + " of " + last;
    $("step-title").textContent = step.title;
    $("step-text").textContent = step.text;
    if (practice) practiceShow(step);
    else unmask();
    $("prev").disabled = $("home").disabled = current === 0;
    $("next").disabled = $("end").disabled = current === last;
    if (current === last) pause();
    if (step.node) follow(groups[step.node] ? step.node : activeBox);
    if (selected) explain(selected);
    if (hooks.shown) hooks.shown(current);
  }

  function play() {
    if (!model) return;
    if (current === model.steps.length - 1) show(0);
    timer = setInterval(function () { show(current + 1); }, 900);
    $("play").innerHTML = "&#10074;&#10074; Pause";
    $("play").setAttribute("aria-pressed", "true");
  }
  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    $("play").innerHTML = "&#9654; Play";
    $("play").setAttribute("aria-pressed", "false");
  }
  function toggle() { if (timer === null) play(); else pause(); }

  // --- a node's explanation ---------------------------------------------------
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function full(x) { return typeof x === "number" ? String(x) : String(x); }
  function stepLink(k) {
    var b = el("button", "step " + k + ": " + model.steps[k].title, "steplink");
    b.type = "button";
    b.onclick = function () { pause(); show(k); };
    return b;
  }

  function explain(id) {
    var node = null;
    model.nodes.forEach(function (n) { if (n.id === id) node = n; });
    if (!node) return;
    if (selected && groups[selected]) groups[selected].classList.remove("al-selected");
    selected = id;
    if (groups[id]) groups[id].classList.add("al-selected");
    var box = $("explain");
    box.textContent = "";
    box.setAttribute("data-node", node.name);
    box.appendChild(el("h2", node.name + "  (" + node.kind + (node.op ? ", op " + node.op : "") + ")"));
    box.appendChild(el("h3", "data"));
    box.appendChild(el("pre", (node.forward ? node.forward + " = " : node.name + " = ") + full(node.data)));
    var p = el("p", node.kind === "constant" ? "A number written into the expression; " :
      node.op ? "Computed in the forward pass at " : "Given at ");
    p.appendChild(stepLink(node.setBy));
    box.appendChild(p);
    if (practice && !nodeKnown(node)) {
      box.appendChild(el("p", "Practice: its gradient, its local rule and the checks show once you have " +
        "answered (or revealed) every step that sends it a gradient, and its own step.", "hint"));
      return;
    }
    box.appendChild(el("h3", "grad ∂" + model.loss + "/∂" + node.name));
    box.appendChild(el("pre", node.grad === null ? "—" : full(node.grad)));
    var now = stateAt(current).grad[id];
    box.appendChild(el("p", "At step " + current + ": " + (now === undefined ? "not yet known (grad —)" :
      "grad " + now + (node.gradSteps.length && current < node.gradSteps[node.gradSteps.length - 1] ?
        ", more to come" : ", complete")), "hint"));
    if (node.gradSteps.length) {
      var q = el("p", "Received its gradient at ");
      node.gradSteps.forEach(function (k) { q.appendChild(document.createElement("br")); q.appendChild(stepLink(k)); });
      box.appendChild(q);
    }
    box.appendChild(el("h3", "local rule"));
    if (node.rules.length) node.rules.forEach(function (r) { box.appendChild(el("pre", r)); });
    else box.appendChild(el("p", "A leaf: no rule of its own; its gradient is what its consumers send back.", "hint"));
    box.appendChild(el("h3", "chain rule: the sum over its consumers"));
    box.appendChild(el("pre", node.chain, "chain"));
    box.appendChild(el("h3", "finite-difference check"));
    if (node.check) {
      var c = node.check;
      var scale = Math.max(1, Math.abs(Number(c.backward)) || 0);
      var ok = Number(c.difference) <= 1e-5 * scale;
      box.appendChild(el("pre", c.text, ok ? "ok" : "bad"));
    } else {
      box.appendChild(el("p", node.kind === "constant" ? "A constant: nothing to check." :
        "Not computed for inner nodes of a graph this big.", "hint"));
    }
  }

  // --- collapsed scopes: a click opens one ---------------------------------------------
  function picture(k) {
    if (!pictures[k]) {
      var doc = new DOMParser().parseFromString(states[k].svg, "image/svg+xml");
      pictures[k] = document.importNode(doc.documentElement, true);
    }
    return pictures[k];
  }

  function switchState(k) {
    var holder = $("graph");
    if (svg) pictures[state] = svg;
    state = k;
    holder.textContent = "";
    holder.appendChild(picture(k));
    indexPicture();
    firstView();
    show(current);
    scopeButton();
  }

  function scopeButton() {
    var st = currentState();
    $("collapse-all").hidden = !st || !st.expand.length;
  }

  function openScope(boxId) {
    var st = currentState(), box = st && st.boxes[boxId];
    if (!box) return;
    if (live) { if (box.open) hooks.request(false, box.open); }
    else if (box.open !== null) switchState(box.open);
    else {
      $("step-text").textContent = "This page does not carry the picture with " + box.path + " open; " +
        "draw_dot(root, collapse=..., expand=[\"" + box.path + "\"]) or autograd-lite serve opens it.";
    }
  }

  function collapseAll() {
    if (live) hooks.request(false, []);
    else switchState(0);
  }

  // --- tables -----------------------------------------------------------------------
  function tables() {
    var body = $("tables-body");
    body.textContent = "";
    if (!model || !model.tables) return;
    [["forward", "Forward pass"], ["backward", "Backward pass"]].forEach(function (pair) {
      var t = model.tables[pair[0]];
      if (pair[0] === "backward" && practice && !allDone()) {
        body.appendChild(el("p", "Practice: the backward table shows once every step is answered or revealed.", "hint"));
        return;
      }
      var table = el("table");
      table.setAttribute("data-testid", pair[0] + "-table");
      table.appendChild(el("caption", pair[1]));
      var tr = el("tr");
      t.head.forEach(function (h) { tr.appendChild(el("th", h)); });
      table.appendChild(tr);
      t.rows.forEach(function (row) {
        var r = el("tr");
        row.forEach(function (c) { r.appendChild(el("td", c)); });
        table.appendChild(r);
      });
      body.appendChild(table);
    });
  }

  // --- loading a model and its picture ---------------------------------------------
  function load(svgText, newModel, keep) {
    var oldView = view, oldStep = current, sameShape = keep && model && newModel &&
      model.steps.length === newModel.steps.length;
    model = newModel;
    if (practice) practiceReset();
    if (svgText !== null) {
      var holder = $("graph");
      holder.textContent = "";
      if (svgText) {
        var doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
        var root = doc.documentElement;
        if (root && root.nodeName === "svg") holder.appendChild(document.importNode(root, true));
      } else {
        holder.appendChild(el("p", "Install Graphviz (the program dot) on the server to see the graph here.", "nodot"));
      }
    }
    indexPicture();
    if (!model) return;
    document.title = model.title;
    tables();
    if (svg) { if (sameShape && oldView) setView(oldView); else firstView(); }
    if (!sameShape) selected = null;
    show(practice ? seedStep() : sameShape ? oldStep : (live ? model.steps.length - 1 : 0));
    if (!selected) {
      $("explain").textContent = "";
      $("explain").appendChild(el("p", "Click a node to see where its numbers come from. Drag to pan, " +
        "scroll to zoom; keys: ← → space Home End.", "hint"));
    }
  }

  // --- practice: the learner predicts, the page grades ----------------------------------
  // Practice hides every grad and local derivative of the backward pass until the learner
  // has answered it (or asked to be shown). The numbers stay in this script's memory: the
  // static page's model element is taken out of the document when practice starts, the
  // picture's labels are masked, and no hidden number is put into text, attributes or titles.
  var TOLERANCE = 1e-3;

  function isRight(answer, expected) {   // Python's math.isclose(answer, expected, rel_tol=1e-3, abs_tol=1e-9)
    var d = Math.abs(answer - expected);
    return d <= Math.max(TOLERANCE * Math.max(Math.abs(answer), Math.abs(expected)), 1e-9);
  }

  function practiceReset() {
    practice.done = {};   // a new model (another expression, a slider moved): its questions afresh
    practice.asking = null;
    practice.shownFor = null;
    practice.focusedStep = null;
  }

  function seedStep() {
    var k = 0;
    model.steps.forEach(function (s, i) { if (s.phase === "seed") k = i; });
    return k;
  }

  function key(k, i) { return k + ":" + i; }
  function record(k, i) { return practice.done[key(k, i)] || (practice.done[key(k, i)] = { local: false, grad: false }); }
  function stepDone(k) {
    var qs = model.steps[k].practice || [];
    for (var i = 0; i < qs.length; i++) if (!record(k, i).grad) return false;
    return true;
  }
  function allDone() {
    for (var k = 0; k < model.steps.length; k++) if (model.steps[k].phase === "backward" && !stepDone(k)) return false;
    return true;
  }

  // Is node id's grad, as it stands after step k, known to the learner?
  function gradKnown(id, k) {
    for (var j = Math.min(k, model.steps.length - 1); j >= 0; j--) {
      var s = model.steps[j];
      if (!(id in s.grad)) continue;
      if (s.phase !== "backward") return true;     // the seed (or a leaf's grad from before the pass)
      var qs = s.practice || [], known = true;
      qs.forEach(function (q, i) { if (q.parent === id && !record(j, i).grad) known = false; });
      return known;
    }
    return true;
  }

  function nodeKnown(node) {   // a node's final grad and its own step's local rules
    if (!gradKnown(node.id, model.steps.length - 1)) return false;
    for (var k = 0; k < model.steps.length; k++) {
      if (model.steps[k].phase === "backward" && model.steps[k].node === node.id && !stepDone(k)) return false;
    }
    return true;
  }

  function localKnown(title) {   // the edge "p->n_op": the local derivatives of n's step with respect to p
    for (var k = 0; k < model.steps.length; k++) {
      var qs = model.steps[k].practice || [], found = false, known = true;
      qs.forEach(function (q, i) { if (q.edge === title) { found = true; if (!record(k, i).local) known = false; } });
      if (found) return known;
    }
    return allDone();   // a box's edge: shown once the whole pass is
  }

  function unmask() {
    edgeLabels.forEach(function (e) { e.el.textContent = e.text; });
    boxTexts.forEach(function (e) { e.el.textContent = e.text; });
  }

  function mask() {
    edgeLabels.forEach(function (e) { e.el.textContent = localKnown(e.title) ? e.text : "= ?"; });
    var done = allDone();
    boxTexts.forEach(function (e) { e.el.textContent = done ? e.text : "grad ?"; });
    maskResults();
  }

  var resultTexts = new Map();   // the live app's gradients while practising: element -> its text
  function maskResults() {
    if (!live) return;
    document.querySelectorAll("#grads output, #derivatives > div").forEach(function (e) {
      if (practice && !allDone()) {
        if (e.textContent !== "?" && e.textContent !== "") resultTexts.set(e, e.textContent);
        e.textContent = e.tagName === "OUTPUT" ? "?" : "";
      } else if (resultTexts.has(e)) {
        e.textContent = resultTexts.get(e);
        resultTexts.delete(e);
      }
    });
  }

  function inBox(id) {
    var st = currentState();
    return st && st.boxOf ? st.boxOf[id] : undefined;
  }

  // The next question of step k, or null: {i, kind: "local" | "grad"}.
  function nextQuestion(k) {
    var qs = model.steps[k].practice || [], level = $("difficulty").value;
    for (var i = 0; i < qs.length; i++) {
      var r = record(k, i);
      if (r.grad) continue;
      if (level !== "grad" && !r.local) return { i: i, kind: "local" };
      return { i: i, kind: "grad" };
    }
    return null;
  }

  function nameOf(id) {
    var name = id;
    model.nodes.forEach(function (n) { if (n.id === id) name = n.name; });
    return name;
  }

  function practiceShow(step) {
    var k = current;
    if (step.phase === "backward" && inBox(step.node) !== undefined) {
      // inside a collapsed scope: nothing of it is drawn, so nothing is asked (the box asks for its output's grad)
      (step.practice || []).forEach(function (q, i) { var r = record(k, i); r.local = r.grad = true; });
    }
    mask();
    var panel = $("practice-panel"), asking = step.phase === "backward" ? nextQuestion(k) : null;
    practice.asking = asking ? { k: k, i: asking.i, kind: asking.kind } : null;
    panel.hidden = false;
    $("answer").disabled = $("check").disabled = $("hint").disabled = $("reveal").disabled = !asking;
    if (step.phase === "backward" && !stepDone(k)) {
      $("step-text").textContent = "Practice: " + (step.practice.length === 1 ? "this step's numbers show" :
        "the numbers of this step show") + " once you have answered them (or pressed Show me).";
    } else if (step.phase === "done" && !allDone()) {
      $("step-text").textContent = "Practice: the summary shows once every step is answered or revealed.";
    }
    if (asking) {
      var q = step.practice[asking.i], box = inBox(q.parent);
      var where = box !== undefined ? " (the output of the box " + ((currentState().boxes[box] || {}).path || box) + ")" : "";
      $("question").textContent = asking.kind === "local" ?
        "What is the local derivative " + q.localLabel + where + "?" :
        "What is " + q.gradLabel + where + " after this step?";
      if (practice.focusedStep !== k) {   // a new step: the keyboard goes to the answer box
        practice.focusedStep = k;
        $("answer").disabled = false;
        $("answer").focus();
      }
      if (practice.shownFor !== key(k, asking.i) + asking.kind) {
        practice.shownFor = key(k, asking.i) + asking.kind;
        $("answer").value = "";
        $("hint-text").textContent = "";
      }
    } else {
      $("question").textContent = step.phase === "backward" ? "This step is done: → (or Next) for the next one." :
        step.phase === "done" ? (allDone() ? "Every step answered." : "Some steps are still unanswered: step back to them.") :
        "Step to the backward pass (→ or Next): each of its steps asks for " +
        { both: "the local derivatives and the grads", local: "the local derivatives", grad: "the grads" }[$("difficulty").value] + ".";
      $("answer").value = "";
      $("hint-text").textContent = "";
    }
    score();
  }

  function score() {
    var s = practice.score;
    $("score").textContent = "Score: " + s.right + " right of " + (s.right + s.shown) + " answered" +
      (s.wrong ? ", " + s.wrong + " wrong " + (s.wrong === 1 ? "try" : "tries") : "") +
      (s.shown ? ", " + s.shown + " shown" : "") + (s.hints ? ", " + s.hints + (s.hints === 1 ? " hint" : " hints") : "");
  }

  function finish(r, kind) {   // a question answered right or shown
    var level = $("difficulty").value;
    if (kind === "local") { r.local = true; if (level === "local") r.grad = true; }
    else { r.grad = true; r.local = true; }
  }

  function after() {   // show the new state; keep the keyboard where the learner needs it
    show(current);
    tables();
    if (practice.asking) $("answer").focus();
    else if (!$("next").disabled) $("next").focus();
  }

  function checkAnswer() {
    var a = practice && practice.asking;
    if (!a) return;
    var q = model.steps[a.k].practice[a.i], text = $("answer").value.trim().replace(/\u2212/g, "-");
    var fb = $("feedback");
    var label = a.kind === "local" ? q.localLabel : q.gradLabel;
    if (text === "") { fb.textContent = "Type a number first (such as 0.25 or -2e-3)."; fb.className = "wrong"; return; }
    var x = Number(text);
    if (!isFinite(x)) {
      fb.textContent = "That is not a number: type one such as 0.25 or -2e-3.";
      fb.className = "wrong";
      return;
    }
    if (isRight(x, a.kind === "local" ? q.local : q.grad)) {
      practice.score.right += 1;
      finish(record(a.k, a.i), a.kind);
      fb.textContent = "Right: " + label + " = " + (a.kind === "local" ? q.localText : q.gradText) + ".";
      fb.className = "right";
      after();
    } else {
      practice.score.wrong += 1;
      fb.textContent = "Not " + label + " (within a relative 1e-3): try again, ask for a hint, or Show me.";
      fb.className = "wrong";
      score();
      $("answer").select();
    }
  }

  function hint() {
    var a = practice && practice.asking;
    if (!a) return;
    var q = model.steps[a.k].practice[a.i], r = record(a.k, a.i);
    practice.score.hints += 1;
    var text;
    if (a.kind === "local") {
      text = "The op's rule, with the forward values:\n" + q.rule;
    } else {
      var up = gradKnown(q.node, a.k - 1) ? q.upstreamText : "∂" + model.loss + "/∂" + nameOf(q.node);
      var local = r.local ? q.localText : "(" + q.localNumbers + ")";
      var before = null;   // the parent's grad before this step, if it had one
      for (var j = a.k; j >= 0 && before === null; j--) {
        var qs = model.steps[j].practice || [];
        for (var i = (j === a.k ? a.i : qs.length) - 1; i >= 0; i--) {
          if (qs[i].parent === q.parent) { before = record(j, i).grad ? qs[i].gradText : q.gradLabel + " so far"; break; }
        }
      }
      if (before === null && Number(q.before) !== 0) before = q.beforeText;
      text = "The chain rule: " + q.gradLabel + " += upstream × local\n" + q.gradLabel + " = " +
        (before !== null ? before + " + " : "") + up + " × " + local;
    }
    $("hint-text").textContent = text;
    score();
    $("answer").focus();
  }

  function reveal() {
    var a = practice && practice.asking;
    if (!a) return;
    var q = model.steps[a.k].practice[a.i];
    practice.score.shown += 1;
    finish(record(a.k, a.i), a.kind);
    var fb = $("feedback");
    fb.textContent = "Shown: " + (a.kind === "local" ? q.localLabel + " = " + q.localText : q.gradLabel + " = " + q.gradText) + ".";
    fb.className = "";
    after();
  }

  function togglePractice() {
    if (!model) return;
    pause();
    if (practice) {
      practice = null;
      $("practice").setAttribute("aria-pressed", "false");
      $("practice-panel").hidden = true;
      $("difficulty-label").hidden = true;
      maskResults();
      show(current);
      tables();
      return;
    }
    var embedded = $("model");   // the static page's model, read already: out of the document while practising
    if (embedded) embedded.parentNode.removeChild(embedded);
    practice = { done: {}, asking: null, shownFor: null, focusedStep: null, score: { right: 0, wrong: 0, shown: 0, hints: 0 } };
    $("practice").setAttribute("aria-pressed", "true");
    $("difficulty-label").hidden = false;
    $("feedback").textContent = "";
    $("feedback").className = "";
    show(seedStep());
    tables();
    if (selected) explain(selected);
  }

  // --- wiring ----------------------------------------------------------------------
  $("next").onclick = function () { pause(); show(current + 1); };
  $("prev").onclick = function () { pause(); show(current - 1); };
  $("home").onclick = function () { pause(); show(0); };
  $("end").onclick = function () { pause(); show(Infinity); };
  $("play").onclick = toggle;
  $("zoom-in").onclick = function () { zoom(1.25); };
  $("zoom-out").onclick = function () { zoom(0.8); };
  $("fit").onclick = fit;
  var graph = $("graph");
  graph.addEventListener("wheel", function (e) {
    if (!svg) return;
    e.preventDefault();
    zoom(Math.pow(1.0015, -e.deltaY), e.clientX, e.clientY);
  }, { passive: false });
  graph.addEventListener("mousedown", startDrag);
  window.addEventListener("mousemove", moveDrag);
  window.addEventListener("mouseup", endDrag);
  graph.addEventListener("click", function (e) {
    if (dragged) { dragged = false; return; }
    var box = e.target.closest && e.target.closest("g.node[data-box]");
    if (box) { openScope(box.getAttribute("data-box")); return; }
    var g = e.target.closest && e.target.closest("g.node[data-node]");
    if (g) explain(g.getAttribute("data-node"));
  });
  $("collapse-all").onclick = collapseAll;
  $("practice").onclick = togglePractice;
  $("check").onclick = checkAnswer;
  $("hint").onclick = hint;
  $("reveal").onclick = reveal;
  $("difficulty").onchange = function () { if (practice) { show(current); } };
  $("answer").addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); checkAnswer(); }
    else if (e.key === "Escape") { e.preventDefault(); $("answer").blur(); }
  });
  window.addEventListener("resize", function () { if (svg && view) setView(view); });

  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  document.addEventListener("keydown", function (e) {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey || !model) return;
    var handled = true;
    if (e.key === "ArrowRight") { pause(); show(current + 1); }
    else if (e.key === "ArrowLeft") { pause(); show(current - 1); }
    else if (e.key === "Home") { pause(); show(0); }
    else if (e.key === "End") { pause(); show(Infinity); }
    else if (e.key === " " || e.key === "Spacebar") { if (!e.repeat) toggle(); }
    else handled = false;
    if (handled) e.preventDefault();
  });
  document.addEventListener("keyup", function (e) {   // a focused button must not also click on space
    if (!typing(e) && (e.key === " " || e.key === "Spacebar")) e.preventDefault();
  });

  if (!live) {
    var first = JSON.parse($("model").textContent);
    states = first.states || [{ expand: [], svg: null, boxOf: {}, boxes: {} }];
    load(null, first, false);
    scopeButton();
  }
  window.autogradExplorer = { show: show, explain: explain, fit: fit, zoom: zoom,
    view: function () { return view; }, step: function () { return current; },
    // for live.js
    load: load, pause: pause, scopeButton: scopeButton, el: el, full: full, hooks: hooks, maskResults: maskResults,
    liveState: function () { return liveState; }, setLiveState: function (s) { liveState = s; } };
})();
