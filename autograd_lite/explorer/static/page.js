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
  var opGroups = {};       // node id -> the SVG group of the op that computes it
  var boxRows = {};        // a collapsed scope's box id -> its <text> rows of data and grad
  var edgeStep = {};       // edge title -> the step that computes its local derivative
  var edgeLabels = [];     // [edge group, its <text>s, their texts]: held here, put in at their step
  var states = [];         // the pictures: one, or one per state of the collapsed scopes
  var state = 0;           // the picture shown
  var pictures = {};       // state -> its parsed picture, kept to switch back without parsing again
  var liveState = null;    // the live app's picture state, from the engine
  var hooks = { request: null, shown: null };   // set by live.js: ask the engine again; a step was shown
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
    groups = {}; texts = {}; edgeGroups = {}; boxGroups = {}; opGroups = {}; boxRows = {}; edgeStep = {}; edgeLabels = [];
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
        // its name and size stay; the rows of numbers are written per step (see showBoxes)
        boxRows[id] = Array.prototype.slice.call(g.querySelectorAll("text"), 2);
        boxRows[id].forEach(function (t) { t.textContent = ""; });
        g.setAttribute("data-box", id);
        g.setAttribute("data-testid", "scope-" + box.path);
        g.classList.toggle("al-openable", box.open !== null);
        return;
      }
      var owner = id.replace(/_op$/, "");
      var node = byName[owner];
      if (!node) { if (id === "legend") g.classList.add("al-legend"); return; }   // hidden while presenting
      if (id === owner) {
        groups[id] = g;
        g.setAttribute("data-testid", "node-" + node.name);
        texts[id] = { data: lastText(g, "data "), grad: lastText(g, "grad ") };
        // the picture was drawn with the final numbers so each label has room: none stays in it
        if (texts[id].data) texts[id].data.textContent = "data —";
        if (texts[id].grad) texts[id].grad.textContent = "grad —";
      } else {
        opGroups[owner] = g;
        g.setAttribute("data-testid", "op-" + node.name);
      }
      g.setAttribute("data-node", owner);
    });
    model.edges.forEach(function (e) { edgeStep[e.title] = e.step; });
    svg.querySelectorAll("g.edge").forEach(function (g) {
      // an edge from a value drawn again beside a far use ("n0_use7->n7_op") is n0's edge
      var t = titleOf(g).replace(/_use\d+(?=->)/, "");
      (edgeGroups[t] = edgeGroups[t] || []).push(g);
      if (edgeStep[t] === undefined || edgeStep[t] === null) return;   // a box's "×4", no derivative
      var labels = Array.prototype.slice.call(g.querySelectorAll("text"));
      if (!labels.length) return;
      edgeLabels.push({ title: t, texts: labels, words: labels.map(function (x) { return x.textContent; }) });
      labels.forEach(function (x) { x.textContent = ""; });   // a local derivative appears at its step
    });
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    var vb = svg.viewBox.baseVal;
    home = { x: vb.x, y: vb.y, w: vb.width, h: vb.height };
    presentOpText();
  }

  // While presenting, an op's symbol is drawn at the size of the node text (11 pt, not 10),
  // so it is as readable as the numbers beside it; leaving restores it.
  function presentOpText() {
    Object.keys(opGroups).forEach(function (id) {
      opGroups[id].querySelectorAll("text").forEach(function (t) {
        var own = t.getAttribute("data-al-size");
        if (own === null) { own = t.getAttribute("font-size") || "10"; t.setAttribute("data-al-size", own); }
        t.setAttribute("font-size", presenting ? String(Math.max(parseFloat(own), 11)) : own);
      });
    });
  }

  // --- zoom and pan: the viewBox is the camera ----------------------------------
  function setView(v) {
    var box = $("graph").getBoundingClientRect();
    view = v;
    view.s = Math.min(box.width / v.w, box.height / v.h);   // the scale it was set for
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

  // The smallest scale at which the picture's smallest node text (an op's 10 pt) is 8 px tall,
  // and in presentation mode the smallest at which it is 14 px (most steps frame at 20 px or more).
  var READABLE = 0.8, PRESENT_FLOOR = 1.45, PRESENT_MOST = 2.4;

  // Fit: the whole graph when its text stays readable that way; else as much of it as stays
  // readable, around the step's node and the nodes it sends its gradient to.
  function fit() {
    if (!svg) return;
    var box = $("graph").getBoundingClientRect();
    var s = Math.min(box.width / home.w, box.height / home.h, 2);  // a tiny graph need not fill the screen
    if (s < READABLE) { frame(focusOf(current), READABLE, READABLE); return; }
    setView(whole(s));
  }

  // The whole graph, centred, at scale s.
  function whole(s) {
    var box = $("graph").getBoundingClientRect();
    var w = box.width / s, h = box.height / s;
    return { x: home.x - (w - home.w) / 2, y: home.y - (h - home.h) / 2, w: w, h: h };
  }

  function firstView() {
    if (presenting) presentFrame(current);
    else fit();
  }

  // The camera while presenting: the start step frames its node with every input and parameter
  // as far as they fit readable (the classic neuron's five, at 20 px); any other step its node
  // and the nodes its gradient goes to.
  function presentFrame(k) {
    var ids = focusOf(k);
    if (model.steps[k].phase === "start") {
      model.nodes.forEach(function (n) {
        if ((n.kind === "input" || n.kind === "parameter") && ids.indexOf(n.id) < 0) ids.push(n.id);
      });
    }
    frame(ids, PRESENT_FLOOR, PRESENT_MOST);
  }

  // What the camera frames at step k: the step's node, its op, and the nodes its gradient goes
  // to (in the forward pass, the inputs it is computed from); the first computed node at the
  // start, the output after the pass.
  function focusOf(k) {
    var step = model.steps[k], id = step.node;
    if (!id) {
      id = model.root;
      if (step.phase === "start") model.steps.forEach(function (s) { if (s.phase === "forward" && id === model.root && s.node) id = s.node; });
    }
    var ids = [id];
    model.edges.forEach(function (e) { if (e.to === id && ids.indexOf(e.from) < 0) ids.push(e.from); });
    return ids;
  }

  function groupOf(id) {
    var st = currentState();
    return groups[id] || boxGroups[id] || (st && st.boxOf && boxGroups[st.boxOf[id]]) || null;
  }

  // Frame the nodes ``ids`` (the first is the one that must stay in view) at a scale
  // between ``least`` and ``most`` pixels per unit, as large as lets them all fit.
  function frame(ids, least, most) {
    if (!svg) return;
    var box = $("graph").getBoundingClientRect(), pad = 28;
    setView(whole(Math.min(box.width / home.w, box.height / home.h)));   // measure in a known camera
    var rects = [];
    ids.forEach(function (id) {
      var g = groupOf(id);
      if (g) rects.push(g.getBoundingClientRect());
      if (opGroups[id]) rects.push(opGroups[id].getBoundingClientRect());
    });
    if (!rects.length) return;
    var toUnits = function (r) {
      var a = svgPoint(r.left, r.top), b = svgPoint(r.right, r.bottom);
      return { x0: a.x, y0: a.y, x1: b.x, y1: b.y };
    };
    var all = rects.map(toUnits), focus = all[0];
    var join = function (m, r) {
      return { x0: Math.min(m.x0, r.x0), y0: Math.min(m.y0, r.y0), x1: Math.max(m.x1, r.x1), y1: Math.max(m.y1, r.y1) };
    };
    var scaleFor = function (r) {
      return Math.min((box.width - 2 * pad) / (r.x1 - r.x0), (box.height - 2 * pad) / (r.y1 - r.y0));
    };
    // the focus node and its op, then the other nodes nearest first, as many as fit at ``least``
    var u = rects.length > 1 && opGroups[ids[0]] ? join(all[0], all[1]) : all[0];
    var centre = function (r) { return { x: (r.x0 + r.x1) / 2, y: (r.y0 + r.y1) / 2 }; };
    var c0 = centre(u);
    all.slice(1).map(function (r) {
      var c = centre(r);
      return { r: r, d: Math.abs(c.x - c0.x) + Math.abs(c.y - c0.y) };
    }).sort(function (a, b) { return a.d - b.d; }).forEach(function (o) {
      var bigger = join(u, o.r);
      if (scaleFor(bigger) >= least) u = bigger;
    });
    var s = Math.max(Math.min(scaleFor(u), most), least);
    var w = box.width / s, h = box.height / s;
    var cx = (u.x0 + u.x1) / 2, cy = (u.y0 + u.y1) / 2;
    // the focus node stays inside even when the whole group cannot
    var m = pad / s;
    cx = Math.min(Math.max(cx, focus.x1 + m - w / 2), focus.x0 - m + w / 2);
    cy = Math.min(Math.max(cy, focus.y1 + m - h / 2), focus.y0 - m + h / 2);
    // no empty margin beyond the graph where the graph could fill the view
    var inside = function (c, lo, size, span) { return span >= size ? lo + size / 2 : Math.max(lo + span / 2, Math.min(c, lo + size - span / 2)); };
    cx = inside(cx, home.x, home.w, w);
    cy = inside(cy, home.y, home.h, h);
    setView({ x: cx - w / 2, y: cy - h / 2, w: w, h: h });
  }

  // Presentation mode (the Present button, the p key, m=present in the link): the graph
  // takes the screen, large, and the camera frames each step.
  var presenting = false;
  function present(on) {
    presenting = on === undefined ? !presenting : !!on;
    document.body.classList.toggle("presenting", presenting);
    $("present").setAttribute("aria-pressed", String(presenting));
    $("present").textContent = presenting ? "Leave presentation" : "Present";
    if (svg && model) { presentOpText(); firstView(); show(current); }
    staticLink();
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
    var data = {}, grad = {}, values = {};
    for (var i = 0; i <= k; i++) {
      var s = model.steps[i];
      Object.keys(s.data).forEach(function (id) { data[id] = s.data[id]; });
      Object.keys(s.grad).forEach(function (id) { grad[id] = s.grad[id]; });
      var v = s.gradValues || {};
      Object.keys(v).forEach(function (id) { values[id] = Number(v[id]); });
    }
    return { data: data, grad: grad, gradValues: values };
  }

  // A collapsed box's rows: its outputs' data and grad as far as the step shown has computed them.
  function showBoxes(known, gradsAsked) {
    var st = currentState();
    if (!st) return;
    var byId = nodeIndex();
    Object.keys(boxRows).forEach(function (boxId) {
      var outputs = (st.boxes[boxId] || {}).outputs || [], rows = [];
      if (outputs.length <= 3) {
        outputs.forEach(function (o) {
          var n = byId[o.id];
          rows.push((o.named ? n.name + ": " : "") + "data " + (!(o.id in known.data) ? "—" :
            practice && !valueKnown(o.id) ? "?" : known.data[o.id]) +
            " · grad " + (!(o.id in known.grad) ? "—" : gradsAsked ? "?" : known.grad[o.id]));
        });
      } else {
        var range = function (ids, value, text) {
          var lo = null, hi = null;
          ids.forEach(function (id) {
            var x = value(id);
            if (lo === null || x < value(lo)) lo = id;
            if (hi === null || x > value(hi)) hi = id;
          });
          return lo === null ? "—" : text(lo) + " … " + text(hi);
        };
        var ids = outputs.map(function (o) { return o.id; });
        var computed = ids.filter(function (id) { return id in known.data; });
        var sent = ids.filter(function (id) { return id in known.grad; });
        rows.push(outputs.length.toLocaleString("en-US") + " outputs: data " +
          (practice && computed.some(function (id) { return !valueKnown(id); }) ? "?" : range(computed, function (id) { return Number(byId[id].data); }, function (id) { return known.data[id]; })));
        rows.push("grad " + (gradsAsked && sent.length ? "?" : range(sent, function (id) { return known.gradValues[id]; },
          function (id) { return known.grad[id]; })));
      }
      boxRows[boxId].forEach(function (t, i) { t.textContent = rows[i] || ""; });
    });
  }

  var nodeIndexCache = null;
  function nodeIndex() {
    if (!nodeIndexCache || nodeIndexCache.model !== model) {
      var byId = {};
      model.nodes.forEach(function (n) { byId[n.id] = n; });
      nodeIndexCache = { model: model, byId: byId };
    }
    return nodeIndexCache.byId;
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
        t.data.textContent = "data " + (!hasData ? "—" : practice && !valueKnown(id) ? "?" : state.data[id]);
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
    // nothing before its step; in practice mode, a number the learner has not answered yet is "?"
    showBoxes(state, practice && !allDone());
    edgeLabels.forEach(function (e) {
      var due = current >= edgeStep[e.title], asked = practice && !localKnown(e.title);
      e.texts.forEach(function (x, i) {
        x.textContent = !due ? "" : asked && e.words[i].indexOf("= ") === 0 ? "= ?" : e.words[i];
      });
    });
    tables();
    var hot = {};
    step.edges.forEach(function (t) { hot[t] = true; });
    Object.keys(edgeGroups).forEach(function (t) {
      edgeGroups[t].forEach(function (g) { g.classList.toggle("al-hot", !!hot[t]); });
    });
    $("step").textContent = "Step " + current + " of " + last;
    $("step-title").textContent = step.title;
    $("step-title").title = step.title;   // the whole title where the bar cuts it
    $("step-text").textContent = step.text;
    if (practice) practiceShow(step);
    maskResults();
    $("prev").disabled = $("home").disabled = current === 0;
    $("next").disabled = $("end").disabled = current === last;
    if (current === last) pause();
    if (presenting) presentFrame(current);
    else if (step.node) follow(groups[step.node] ? step.node : activeBox);
    if (selected) explain(selected);
    staticLink();
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
  // notation.format_number in JavaScript, for numbers made in the page (a slider's):
  // integers exact, else 4 significant digits as Python's "%.4g" writes them.
  function formatNumber(x) {
    if (!isFinite(x)) return x !== x ? "nan" : x > 0 ? "inf" : "-inf";
    if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
    var e = Number(x.toExponential(3).split("e")[1]);
    var trim = function (t) { return t.indexOf(".") < 0 ? t : t.replace(/0+$/, "").replace(/\.$/, ""); };
    if (e < -4 || e >= 4) {
      var parts = x.toExponential(3).split("e"), exp = Number(parts[1]);
      return trim(parts[0]) + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    return trim(x.toFixed(3 - e));
  }
  function stepLink(k) {
    var b = el("button", "step " + k + ": " + model.steps[k].title, "steplink");
    b.type = "button";
    b.onclick = function () { pause(); show(k); };
    return b;
  }

  // Nothing before its step: the panel says only what the step shown has computed.
  function explain(id) {
    var node = nodeIndex()[id];
    if (!node) return;
    if (selected && groups[selected]) groups[selected].classList.remove("al-selected");
    selected = id;
    if (groups[id]) groups[id].classList.add("al-selected");
    var known = stateAt(current);
    var box = $("explain");
    box.textContent = "";
    box.setAttribute("data-node", node.name);
    box.appendChild(el("h2", node.name + "  (" + node.kind + (node.op ? ", op " + node.op : "") + ")"));
    box.appendChild(el("h3", "data"));
    if (id in known.data && practice && !valueKnown(id)) {
      box.appendChild(el("pre", (node.forward ? node.forward + " = " : node.name + " = ") + "?", "pending"));
    } else if (id in known.data) {
      box.appendChild(el("pre", (node.forward ? node.forward + " = " : node.name + " = ") + known.data[id]));
      inFull(box, "data-full", node.dataText, node.dataFull);
    } else {
      box.appendChild(el("pre", (node.forward ? node.forward + " = " : "") + "not yet computed", "pending"));
    }
    var p = el("p", node.kind === "constant" ? "A number written into the expression; " :
      node.op ? "Computed in the forward pass at " : "Given at ");
    p.appendChild(stepLink(node.setBy));
    box.appendChild(p);
    if (practice && !nodeKnown(node)) {
      box.appendChild(el("p", "Practice: its gradient, its local rule and the checks show once you have " +
        "answered (or revealed) every step that sends it a gradient, and its own step.", "hint"));
      return;
    }
    box.appendChild(el("h3", "grad ∂" + (model.lossSymbol || model.loss) + "/∂" + (node.symbol || node.name)));
    var now = known.grad[id];
    var done = node.gradDone !== null && node.gradDone !== undefined && current >= node.gradDone;
    var g = el("pre", now === undefined ? "not yet known" : now + (done ? "" : " so far"));
    g.setAttribute("data-testid", "explain-grad");
    box.appendChild(g);
    if (done) inFull(box, "grad-full", node.gradText, node.gradFull);
    box.appendChild(el("p", "At step " + current + ": " + (now === undefined ? "not yet known" :
      done || node.gradDone === null ? "complete" : "more to come"), "hint"));
    if (node.gradSteps.length) {
      var q = el("p", "Receives its gradient at ");
      node.gradSteps.forEach(function (k) { q.appendChild(document.createElement("br")); q.appendChild(stepLink(k)); });
      box.appendChild(q);
    }
    box.appendChild(el("h3", "local rule"));
    if (!node.rules.length) {
      box.appendChild(el("p", "A leaf: no rule of its own; its gradient is what its consumers send back.", "hint"));
    } else if (node.ruleStep !== null && current >= node.ruleStep) {
      node.rules.forEach(function (r) { box.appendChild(el("pre", r)); });
    } else {
      var r = el("p", "Its local derivatives are computed at ", "hint");
      r.appendChild(stepLink(node.ruleStep));
      box.appendChild(r);
    }
    box.appendChild(el("h3", "chain rule: the sum over its consumers"));
    if (done) box.appendChild(el("pre", node.chain, "chain"));
    else box.appendChild(el("p", "Known once its gradient is complete" +
      (node.gradDone !== null ? " (step " + node.gradDone + ")." : "."), "hint"));
    box.appendChild(el("h3", "finite-difference check"));
    if (node.check && done) {
      var c = node.check;
      var scale = Math.max(1, Math.abs(Number(c.backward)) || 0);
      var ok = Number(c.difference) <= 1e-5 * scale;
      box.appendChild(el("pre", c.text, ok ? "ok" : "bad"));
    } else {
      box.appendChild(el("p", node.kind === "constant" ? "A constant: nothing to check." : !done ?
        "Once its gradient is complete." : "Not computed for inner nodes of a graph this big.", "hint"));
    }
  }

  // The number to full precision, on its own line, when the rounded one hides digits.
  function inFull(box, testid, text, fullText) {
    if (fullText === null || fullText === undefined || Number(fullText) === Number(text)) return;
    var line = el("p", "in full: " + fullText, "hint");
    line.setAttribute("data-testid", testid);
    box.appendChild(line);
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
  // The rows the step shown has computed, and no others: a later row is not even in the page yet.
  var tablesShown = null;
  function tables() {
    var body = $("tables-body");
    if (!model || !model.tables) { body.textContent = ""; tablesShown = null; return; }
    var key = [["forward", "Forward pass"], ["backward", "Backward pass"]].map(function (pair) {
      var t = model.tables[pair[0]];
      return t.rows.filter(function (row, i) { return !t.steps || t.steps[i] <= current; }).length;
    }).join(",") + (practice && !allDone() ? ",practice" + valuesKey() : "");
    if (tablesShown && tablesShown.model === model && tablesShown.key === key) return;
    tablesShown = { model: model, key: key };
    body.textContent = "";
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
      t.rows.forEach(function (row, i) {
        if (t.steps && t.steps[i] > current) return;
        var r = el("tr"), hide = pair[0] === "forward" && practice && t.steps && !forwardKnown(t.steps[i]);
        row.forEach(function (c, j) { r.appendChild(el("td", hide && j === row.length - 1 ? "?" : c)); });
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
    if (svg) { if (sameShape && oldView) setView(oldView); else firstView(); }
    if (!sameShape) selected = null;
    show(practice ? startStep() : sameShape ? oldStep : (live ? model.steps.length - 1 : 0));
    if (!selected) {
      $("explain").textContent = "";
      $("explain").appendChild(el("p", "Click a node to see where its numbers come from. Drag to pan, " +
        "scroll to zoom; keys: ← → space Home End, p to present.", "hint"));
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

  // What the difficulty asks: "both" (local and grad), "local", "grad", "values" (the forward
  // pass's values) or "all" (values, then local and grad).
  function level() { return $("difficulty").value; }
  function asksValues() { return level() === "values" || level() === "all"; }
  function asksBackward() { return level() !== "values"; }
  function backwardLevel() { return level() === "all" ? "both" : level(); }
  function startStep() { return asksValues() ? 0 : seedStep(); }

  // Is the value computed at step k known to the learner (answered, shown, or not asked)?
  function forwardKnown(k) {
    var s = model.steps[k];
    if (!practice || !asksValues() || !s || s.phase !== "forward") return true;
    return !!practice.done["v" + k];
  }
  function valueKnown(id) {
    var node = nodeIndex()[id];
    return !node || forwardKnown(node.setBy);
  }
  function valuesDone() {
    for (var k = 0; k < model.steps.length; k++) if (!forwardKnown(k)) return false;
    return true;
  }
  function valuesKey() {   // changes whenever a value becomes known (the tables are redrawn then)
    var n = 0;
    for (var k = 0; k < model.steps.length; k++) if (model.steps[k].phase === "forward" && forwardKnown(k)) n += 1;
    return ":" + n;
  }

  function key(k, i) { return k + ":" + i; }
  function record(k, i) { return practice.done[key(k, i)] || (practice.done[key(k, i)] = { local: false, grad: false }); }
  function stepDone(k) {
    if (model.steps[k].phase === "forward") return forwardKnown(k);
    if (!asksBackward()) return true;
    var qs = model.steps[k].practice || [];
    for (var i = 0; i < qs.length; i++) if (!record(k, i).grad) return false;
    return true;
  }
  function allDone() {
    if (!valuesDone()) return false;
    for (var k = 0; k < model.steps.length; k++) if (model.steps[k].phase === "backward" && !stepDone(k)) return false;
    return true;
  }

  // Is node id's grad, as it stands after step k, known to the learner?
  function gradKnown(id, k) {
    if (!valuesDone()) return false;   // the backward pass's numbers are made of the forward values
    if (!asksBackward()) return true;
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
    if (!valuesDone()) return false;
    if (!asksBackward()) return true;
    for (var k = 0; k < model.steps.length; k++) {
      var qs = model.steps[k].practice || [], found = false, known = true;
      qs.forEach(function (q, i) { if (q.edge === title) { found = true; if (!record(k, i).local) known = false; } });
      if (found) return known;
    }
    return allDone();   // a box's edge: shown once the whole pass is
  }

  function mask() {   // the picture's labels are masked by show(); the live app's results here
    maskResults();
  }

  // The live app's results row (f, each ∂f/∂x, the derivatives) follows the step shown: f once the
  // forward pass has computed it, a variable's gradient once the backward pass is done with it,
  // everything at the last step. Before then the number is not in the document at all ("—");
  // practice mode hides what the learner has not answered yet ("?").
  var resultTexts = new WeakMap();   // a results element masked -> its number
  var RESULT_MASKS = { "?": true, "—": true, "": true };
  function resultDue(e) {   // is the number of results element e computed by the step shown?
    if (!model || !model.steps.length || current >= model.steps.length - 1) return true;
    var byName = {};
    model.nodes.forEach(function (n) { byName[n.name] = n.id; });
    if (e.id === "value") {
      var root = model.steps[seedStep()].node;
      return root === null || root in stateAt(current).data;
    }
    if (e.tagName === "OUTPUT") {
      var id = byName[(e.getAttribute("data-testid") || "").replace(/^grad-/, "")], lastSent = null;
      if (id === undefined) return false;
      model.steps.forEach(function (s, k) { if (s.phase === "backward" && id in s.grad) lastSent = k; });
      return lastSent !== null && current >= lastSent;
    }
    return false;   // a higher derivative: at the last step
  }
  function maskResults() {
    if (!live) return;
    document.querySelectorAll("#value, #grads output, #derivatives > div").forEach(function (e) {
      if (!RESULT_MASKS[e.textContent]) resultTexts.set(e, e.textContent);   // a fresh answer
      var known = resultTexts.has(e) ? resultTexts.get(e) : e.textContent;
      var mask = null;
      if (practice && !allDone() && (e.id !== "value" || !valuesDone())) mask = e.tagName === "OUTPUT" ? "?" : "";
      else if (!resultDue(e)) mask = e.tagName === "OUTPUT" ? "—" : "";
      if (mask !== null) e.textContent = mask;
      else if (resultTexts.has(e)) {
        e.textContent = known;
        resultTexts.delete(e);
      }
    });
  }

  function inBox(id) {
    var st = currentState();
    return st && st.boxOf ? st.boxOf[id] : undefined;
  }

  // The next question of step k, or null: {i, kind: "value" | "local" | "grad"}.
  function nextQuestion(k) {
    if (model.steps[k].phase === "forward") return forwardKnown(k) ? null : { i: 0, kind: "value" };
    if (model.steps[k].phase !== "backward" || !asksBackward()) return null;
    var qs = model.steps[k].practice || [], level = backwardLevel();
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

  function boxOutput(id) {   // is node id an output of a collapsed box (drawn as one of its rows)?
    var st = currentState(), b = inBox(id);
    return b !== undefined && ((st.boxes[b] || {}).outputs || []).some(function (o) { return o.id === id; });
  }

  function practiceShow(step) {
    var k = current;
    if (step.phase === "backward" && inBox(step.node) !== undefined) {
      // inside a collapsed scope: nothing of it is drawn, so nothing is asked (the box asks for its output's grad)
      (step.practice || []).forEach(function (q, i) { var r = record(k, i); r.local = r.grad = true; });
    }
    if (step.phase === "forward" && inBox(step.node) !== undefined && !boxOutput(step.node)) {
      practice.done["v" + k] = true;   // a value inside a collapsed box: the box shows only its outputs
    }
    mask();
    var panel = $("practice-panel"), asking = nextQuestion(k);
    practice.asking = asking ? { k: k, i: asking.i, kind: asking.kind } : null;
    panel.hidden = false;
    $("answer").disabled = $("check").disabled = $("hint").disabled = $("reveal").disabled = !asking;
    if (step.phase === "forward" && !forwardKnown(k)) {
      $("step-text").textContent = "Practice: this step's value shows once you have answered it (or pressed Show me).";
    } else if (step.phase === "forward" && !(step.practice || []).every(function (q) { return q.parents.every(valueKnown); })) {
      $("step-text").textContent = "Practice: this step's text shows once the values it is computed from are answered.";
    } else if (step.phase === "backward" && !valuesDone()) {
      $("step-text").textContent = "Practice: the backward pass shows once every forward value is answered (or shown).";
    } else if (step.phase === "backward" && !stepDone(k)) {
      $("step-text").textContent = "Practice: " + (step.practice.length === 1 ? "this step's numbers show" :
        "the numbers of this step show") + " once you have answered them (or pressed Show me).";
    } else if (step.phase === "done" && !allDone()) {
      $("step-text").textContent = "Practice: the summary shows once every step is answered or revealed.";
    }
    if (asking) {
      var q = step.practice[asking.i], box = inBox(asking.kind === "value" ? q.node : q.parent);
      var where = box !== undefined ? " (the output of the box " + ((currentState().boxes[box] || {}).path || box) + ")" : "";
      $("question").textContent = asking.kind === "value" ? "What is the value of " + q.definition + where + "?" :
        asking.kind === "local" ? "What is the local derivative " + q.localLabel + where + "?" :
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
      var asks = { both: "the local derivatives and the grads", local: "the local derivatives", grad: "the grads",
        all: "the local derivatives and the grads" }[level()];
      $("question").textContent = (step.phase === "backward" || step.phase === "forward" && asksValues()) ?
        "This step is done: → (or Next) for the next one." :
        step.phase === "done" ? (allDone() ? "Every step answered." : "Some steps are still unanswered: step back to them.") :
        asksValues() && !valuesDone() ? "Step through the forward pass (→ or Next): each of its steps asks for the value it computes." :
        asksBackward() ? "Step to the backward pass (→ or Next): each of its steps asks for " + asks + "." :
        "Every value answered: the backward pass is shown as usual.";
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

  function finish(a) {   // a question answered right or shown
    if (a.kind === "value") { practice.done["v" + a.k] = true; return; }
    var r = record(a.k, a.i), kind = a.kind, level = backwardLevel();
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
    var label = a.kind === "value" ? q.name : a.kind === "local" ? q.localLabel : q.gradLabel;
    if (text === "") { fb.textContent = "Type a number first (such as 0.25 or -2e-3)."; fb.className = "wrong"; return; }
    var x = Number(text);
    if (!isFinite(x)) {
      fb.textContent = "That is not a number: type one such as 0.25 or -2e-3.";
      fb.className = "wrong";
      return;
    }
    if (isRight(x, a.kind === "value" ? q.value : a.kind === "local" ? q.local : q.grad)) {
      practice.score.right += 1;
      finish(a);
      fb.textContent = "Right: " + label + " = " + (a.kind === "value" ? q.valueText : a.kind === "local" ? q.localText : q.gradText) + ".";
      fb.className = "right";
      after();
    } else {
      practice.score.wrong += 1;
      var typed = text.length > 24 ? text.slice(0, 23) + "…" : text;
      fb.textContent = "Not right yet: " + label + " is not " + typed + " (within a relative 1e-3). " +
        "Try again, or ask for a hint.";
      fb.className = "wrong";
      score();
      $("answer").select();
    }
  }

  // A hint teaches the rule and gives what is known; it never does the answer's arithmetic.
  function hint() {
    var a = practice && practice.asking;
    if (!a) return;
    var q = model.steps[a.k].practice[a.i], r = record(a.k, a.i), byId = nodeIndex();
    practice.score.hints += 1;
    var text;
    if (a.kind === "value") {
      text = "The op's forward formula, with the values of its inputs:\n" + q.definition + "\nwith " +
        q.parents.map(function (id) {   // one input a line; one not answered yet stays unknown
          return byId[id].name + " = " + (valueKnown(id) ? byId[id].dataText : "? (its step is not answered yet)");
        }).join("\n     ");
    } else if (a.kind === "local") {
      text = "The op's rule, with the forward values:\n" + q.rule;
    } else {
      var out = byId[q.node], up = "∂" + (model.lossSymbol || model.loss) + "/∂" + (out.symbol || out.name);
      var before = null;   // the parent's grad before this step, if it had one
      for (var j = a.k; j >= 0 && before === null; j--) {
        var qs = model.steps[j].practice || [];
        for (var i = (j === a.k ? a.i : qs.length) - 1; i >= 0; i--) {
          if (qs[i].parent === q.parent) { before = record(j, i).grad ? qs[i].gradText : "its grad so far"; break; }
        }
      }
      if (before === null && Number(q.before) !== 0) before = q.beforeText;
      text = "The chain rule: " + q.gradLabel + " += upstream · local, that is\n" + q.gradLabel + " = " +
        (before !== null ? "(" + before + ") + " : "") + up + " · " + q.localLabel + "\nwith " + up + " = " +
        (gradKnown(q.node, a.k - 1) ? q.upstreamText : "the grad of " + out.name + " (answer its step first)") +
        (r.local ? ", and " + q.localLabel + " the local derivative you found." :
          ", and " + q.localLabel + " from the op's rule: " + q.rule + ".");
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
    finish(a);
    var fb = $("feedback");
    fb.textContent = "Shown: " + (a.kind === "value" ? q.name + " = " + q.valueText : a.kind === "local" ? q.localLabel + " = " + q.localText : q.gradLabel + " = " + q.gradText) + ".";
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
    show(startStep());
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
  $("present").onclick = function () { present(); };
  // a pane that changes size (the tables opened, the window resized) keeps the scale: text never shrinks
  if (window.ResizeObserver) {
    var lastBox = null;
    new ResizeObserver(function () {
      var box = $("graph").getBoundingClientRect();
      if (svg && view && lastBox && (box.width !== lastBox.width || box.height !== lastBox.height) &&
          box.width > 0 && box.height > 0) {
        var s = view.s;
        var cx = view.x + view.w / 2, cy = view.y + view.h / 2, w = box.width / s, h = box.height / s;
        setView({ x: cx - w / 2, y: cy - h / 2, w: w, h: h });
      }
      lastBox = { width: box.width, height: box.height };
    }).observe($("graph"));
  }
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
  $("difficulty").onchange = function () {
    if (!practice) return;
    // the forward values asked for now, and the page past them: back to their start
    show(asksValues() && !valuesDone() && model.steps[current].phase !== "forward" ? 0 : current);
  };

  // Practice on or off from a link or live.js: the difficulty, then the step to start at.
  var LEVELS = ["both", "local", "grad", "values", "all"];
  function setPractice(on, difficulty, step) {
    if (on && LEVELS.indexOf(difficulty) >= 0) $("difficulty").value = difficulty;
    if (!!practice !== !!on) togglePractice();
    if (on && step !== undefined && step !== null) show(step);
  }
  function practising() { return practice ? level() : null; }

  // The static page's link: m=present and/or m=practice (one part, comma-separated), d=<difficulty>
  // when it is not "both", s=<step> when it is not the first; the live page's link (live.js) adds
  // the expression and its values. A link is data: only these words and whole numbers are read.
  function readModes(hash) {
    var out = { present: false, practice: false, difficulty: "both", step: null };
    hash.replace(/^#/, "").split("&").forEach(function (part) {
      var eq = part.indexOf("="), k = part.slice(0, eq), v = part.slice(eq + 1);
      if (eq < 0) return;
      if (k === "m") v.split(",").forEach(function (m) { if (m === "present" || m === "practice") out[m] = true; });
      else if (k === "d" && LEVELS.indexOf(v) >= 0) out.difficulty = v;
      else if (k === "s" && /^[0-9]{1,4}$/.test(v)) out.step = Number(v);
    });
    return out;
  }
  function staticLink() {
    if (live || !history.replaceState || !model) return;
    var modes = [], parts = [];
    if (presenting) modes.push("present");
    if (practice) modes.push("practice");
    if (modes.length) {
      parts.push("m=" + modes.join(","));
      if (practice && level() !== "both") parts.push("d=" + level());
      if (current) parts.push("s=" + current);
    }
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash === location.hash) return;
    try { history.replaceState(null, "", hash || location.pathname + location.search); }
    catch (err) { /* a sandboxed page (Jupyter's iframe) keeps no history */ }
  }
  $("answer").addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); checkAnswer(); }
    else if (e.key === "Escape") { e.preventDefault(); $("answer").blur(); }
  });

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
    else if (e.key === "p" || e.key === "P") present();
    else handled = false;
    if (handled) e.preventDefault();
  });
  document.addEventListener("keyup", function (e) {   // a focused button must not also click on space
    if (!typing(e) && (e.key === " " || e.key === "Spacebar")) e.preventDefault();
  });

  if (!live) {
    var wanted = readModes(location.hash);   // before the first step shown rewrites the link
    var first = JSON.parse($("model").textContent);
    $("model").textContent = "";   // held by the script from here: no number waits in the page before its step
    states = first.states || [{ expand: [], svg: null, boxOf: {}, boxes: {} }];
    load(null, first, false);
    scopeButton();
    if (wanted.present) present(true);
    setPractice(wanted.practice, wanted.difficulty, wanted.step);
    if (!wanted.practice && wanted.step !== null) show(wanted.step);
  }
  window.autogradExplorer = { show: show, explain: explain, fit: fit, zoom: zoom, present: present,
    presenting: function () { return presenting; },
    view: function () { return view; }, step: function () { return current; },
    // for live.js
    load: load, pause: pause, scopeButton: scopeButton, el: el, formatNumber: formatNumber, hooks: hooks,
    maskResults: maskResults, setPractice: setPractice, practising: practising, readModes: readModes,
    liveState: function () { return liveState; }, setLiveState: function (s) { liveState = s; } };
})();
