/* autograd_lite's training view, in `serve`'s page and the browser-only site: it only draws and asks.
 *
 * Python (autograd_lite.explorer.training) holds the run and computes every
 * number: the losses, the held-out loss, the boundary's scores on a grid, the
 * weights, the names the tiny GPT samples, and a clicked weight's sub-graph.
 * This file sends requests (serve's /api/train, or in the site the Web Worker
 * through window.autogradTransport) and draws the answers on a canvas and an SVG.
 * While it plays, one request trains for about 50 ms and brings back a frame (the next
 * one is asked for before the frame is drawn);
 * Pause stops asking at once (a request already out still draws when it returns).
 *
 * The view lives in the URL fragment, so a link opens it again:
 *   #train&d=<data>&l=<hidden layers>&w=<width>&a=<activation>&f=<loss>&o=<optimizer>&r=<lr>&s=<seed>&n=<points>
 * every part but "train" may be left out. A fragment is data: each part must
 * match its pattern, and the engine checks its range; nothing of it becomes markup.
 */
(function () {
  "use strict";
  var api = window.autogradExplorer;
  var $ = function (id) { return document.getElementById(id); };
  var el = api.el;
  var SVGNS = "http://www.w3.org/2000/svg";
  var NET_W = 700, NET_H = 330;   // the network's picture, px
  var token = new URLSearchParams(location.search).get("token") || "";
  var CHOICES = { data: ["moons", "circles", "spiral", "xor", "names"], activation: ["tanh", "relu", "sigmoid", "leaky_relu"],
    loss: ["bce", "hinge", "mse"], optimizer: ["adam", "sgd"] };
  // fragment key -> [setting, pattern]
  var PARTS = { d: ["data", /^[a-z_]{1,12}$/], l: ["layers", /^[0-9]{1,2}$/], w: ["width", /^[0-9]{1,3}$/],
    a: ["activation", /^[a-z_]{1,12}$/], f: ["loss", /^[a-z_]{1,12}$/], o: ["optimizer", /^[a-z]{1,8}$/],
    r: ["lr", /^[0-9.eE+-]{1,12}$/], s: ["seed", /^[0-9]{1,10}$/], n: ["points", /^[0-9]{1,4}$/] };
  var DEFAULTS = { data: "moons", layers: 2, width: 16, activation: "tanh", loss: "bce", optimizer: "adam",
    lr: 0.003, seed: 0, points: 100 };
  var BUDGET = 0.05;   // seconds of training per frame while playing

  function ask(request) {
    if (window.autogradTransport) return window.autogradTransport(JSON.stringify(request));
    return fetch("api/train?token=" + encodeURIComponent(token), {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(request)
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, error: "the server answered " + response.status }; });
    }, function () {
      return { ok: false, error: "cannot reach the explorer's server: is autograd-lite serve still running?" };
    });
  }

  // --- the view's elements ---------------------------------------------------------------
  function select(id, label, options) {
    var s = el("select");
    s.id = "train-setting-" + id; s.setAttribute("data-testid", "train-setting-" + id);
    options.forEach(function (o) { var opt = el("option", o); opt.value = o; s.appendChild(opt); });
    var l = el("label", label + " "); l.appendChild(s);
    return l;
  }
  function number(id, label, min, max, step) {
    var i = el("input");
    i.type = "number"; i.id = "train-setting-" + id; i.setAttribute("data-testid", "train-setting-" + id);
    i.min = min; i.max = max; i.step = step;
    var l = el("label", label + " "); l.appendChild(i);
    return l;
  }
  function button(id, text, title) {
    var b = el("button", text);
    b.type = "button"; b.id = "train-" + id; b.setAttribute("data-testid", "train-" + id); b.title = title;
    return b;
  }

  var view = el("section"); view.id = "train-view"; view.hidden = true;
  var settings = el("div", undefined, "train-settings");
  [select("data", "data", CHOICES.data), number("layers", "hidden layers", 1, 4, 1), number("width", "width", 1, 32, 1),
    select("activation", "activation", CHOICES.activation), select("loss", "loss", CHOICES.loss),
    select("optimizer", "optimiser", CHOICES.optimizer), number("lr", "lr", 0.00001, 10, "any"),
    number("seed", "seed", 0, 2147483647, 1), number("points", "points", 10, 400, 1)
  ].forEach(function (x) { settings.appendChild(x); });
  var reset = button("reset", "Reset", "start again from this seed with these settings");
  settings.appendChild(reset);
  var bar = el("div", undefined, "train-bar");
  var play = button("play", "▶ Play", "train, a frame about ten times a second");
  var pause = button("pause", "❚❚ Pause", "stop training");
  var stepOne = button("step", "Step", "train one batch");
  var stepsOut = el("output", "0"); stepsOut.setAttribute("data-testid", "train-steps");
  var lossOut = el("output", "—"); lossOut.setAttribute("data-testid", "train-loss");
  var back = el("a", "← explorer"); back.href = "#"; back.setAttribute("data-testid", "train-back");
  // how fast Play trains: a class watches the early learning at a few steps a second; max trains
  // as fast as the engine can (about 50 ms a frame)
  var speedLabel = el("label", "speed ");
  var speed = el("select");
  speed.id = "train-speed"; speed.setAttribute("data-testid", "train-speed");
  speed.title = "training steps per second while playing";
  [["1", "1 step/s"], ["5", "5 steps/s"], ["20", "20 steps/s"], ["100", "100 steps/s"], ["max", "max"]].forEach(function (o) {
    var opt = el("option", o[1]); opt.value = o[0]; speed.appendChild(opt);
  });
  speed.value = "20";
  speedLabel.appendChild(speed);
  [play, pause, stepOne, speedLabel, el("span", "step"), stepsOut, el("span", "loss"), lossOut].forEach(function (x) { bar.appendChild(x); });
  var message = el("span", "", "train-message"); message.setAttribute("role", "status");
  bar.appendChild(message);
  bar.appendChild(back);
  var panels = el("div", undefined, "train-panels");
  // sized for a class at 1400 x 900: the boundary a 620 px square (its plot 560 px) with labelled
  // axes, the network and the loss curve beside it; every axis and tick text 14 px or more
  var boundary = el("canvas"); boundary.width = 620; boundary.height = 620;
  boundary.setAttribute("data-testid", "train-boundary"); boundary.setAttribute("aria-label", "decision boundary");
  var net = document.createElementNS(SVGNS, "svg");
  net.setAttribute("data-testid", "train-network"); net.setAttribute("width", String(NET_W)); net.setAttribute("height", String(NET_H));
  var curve = el("canvas"); curve.width = NET_W; curve.height = 250; curve.setAttribute("data-testid", "train-curve");
  var samples = el("pre", "", "train-samples"); samples.setAttribute("data-testid", "train-samples");
  var side = el("div", undefined, "train-side");
  var legend = el("div", undefined, "train-legend"); legend.setAttribute("data-testid", "train-legend");
  [["dot c0", "class 0"], ["dot c1", "class 1"], ["dot", "filled: a training point"], ["dot ring", "ring: a held-out point"],
    ["swatch", "background: the model's score, white at the threshold"]].forEach(function (x) {
    var item = el("span", undefined, "item"); item.appendChild(el("span", "", x[0])); item.appendChild(document.createTextNode(" " + x[1]));
    legend.appendChild(item);
  });
  side.appendChild(net);
  side.appendChild(curve);
  side.appendChild(legend);
  side.appendChild(el("p", "Loss: training (dark) and held out (orange), log scale. Click a weight or a neuron (its bias) " +
    "to open it in the explorer with its gradient's chain-rule sum.", "hint"));
  side.appendChild(samples);
  [boundary, side].forEach(function (x) { panels.appendChild(x); });
  [settings, bar, panels].forEach(function (x) { view.appendChild(x); });
  document.querySelector("header").insertAdjacentElement("afterend", view);

  var link = el("a", "train", "train-link"); link.href = "#train"; link.setAttribute("data-testid", "train-link");
  link.title = "the training view: watch a network learn";
  $("form").appendChild(link);

  // the note over the explorer when it shows a weight from training
  var note = el("div"); note.id = "train-note"; note.setAttribute("data-testid", "train-note"); note.hidden = true;
  $("error").insertAdjacentElement("afterend", note);

  // --- the state: settings <-> fragment ------------------------------------------------
  var session = null, playing = false, inflight = false, lastState = null, shape = "", generation = 0;

  function settingsNow() {
    var c = {};
    Object.keys(DEFAULTS).forEach(function (k) {
      var v = $("train-setting-" + k).value;
      c[k] = typeof DEFAULTS[k] === "number" ? Number(v) : v;
    });
    return c;
  }
  function fill(c) { Object.keys(DEFAULTS).forEach(function (k) { $("train-setting-" + k).value = String(c[k]); }); }

  function fragment(c) {
    var parts = ["train"];
    Object.keys(PARTS).forEach(function (key) {
      var name = PARTS[key][0];
      if (String(c[name]) !== String(DEFAULTS[name])) parts.push(key + "=" + encodeURIComponent(String(c[name])));
    });
    return "#" + parts.join("&");
  }

  // The settings a "#train..." fragment asks for, or {error}. Never throws.
  function readFragment(text) {
    var pieces = text.replace(/^#/, "").split("&");
    var c = {};
    Object.keys(DEFAULTS).forEach(function (k) { c[k] = DEFAULTS[k]; });
    if (text.length > 400) return { error: "this training link is too long (" + text.length + " characters; the limit is 400)" };
    for (var i = 1; i < pieces.length; i++) {
      if (!pieces[i]) continue;
      var eq = pieces[i].indexOf("="), key = eq < 0 ? pieces[i] : pieces[i].slice(0, eq), value;
      try { value = decodeURIComponent(eq < 0 ? "" : pieces[i].slice(eq + 1)); }
      catch (err) { return { error: "this training link is malformed (a broken %-escape)" }; }
      if (!Object.prototype.hasOwnProperty.call(PARTS, key)) {
        return { error: "this training link has a part named " + JSON.stringify(key.slice(0, 12)) +
          "; it holds d (data), l (layers), w (width), a (activation), f (loss), o (optimiser), r (lr), s (seed), n (points)" };
      }
      var name = PARTS[key][0];
      if (!PARTS[key][1].test(value)) return { error: "this training link's " + name + " is malformed" };
      c[name] = typeof DEFAULTS[name] === "number" ? Number(value) : value;
    }
    return c;
  }

  function isTrainHash() { return /^#train(&|$)/.test(location.hash); }

  function say(text) { message.textContent = text || ""; message.classList.toggle("bad", !!text); }

  // --- asking -------------------------------------------------------------------------
  function start(c, remember, why) {
    stop();
    generation += 1;
    var mine = generation;
    fill(c);
    if (remember && history.replaceState) {
      try { history.replaceState(null, "", fragment(c)); } catch (err) { /* no history in a sandbox */ }
    }
    session = null;
    say(why || (c.data === "names" ? "" : "the first step records the graph and compiles it…"));
    inflight = true;
    ask({ train: "new", config: c }).then(function (r) {
      inflight = false;
      if (mine !== generation) return;
      if (!r.ok) { say(r.error); return; }
      session = r.session;
      say(why || "");
      draw(r.state);
    });
  }

  // At a set speed, each frame trains the steps owed since the last one (at most 10 frames a second);
  // at max, each frame trains for BUDGET seconds.
  var owed = 0, lastTick = 0, waiting = null;
  function tick() {
    waiting = null;
    if (!playing || inflight || !session) return;
    var rate = speed.value === "max" ? null : Number(speed.value), count = 1000, budget = BUDGET;
    if (rate !== null) {
      var now = performance.now();
      owed = Math.min(owed + rate * (now - lastTick) / 1000, Math.max(1, rate));   // never a backlog over 1 s
      lastTick = now;
      count = Math.floor(owed);
      if (count < 1) { waiting = setTimeout(tick, Math.max(20, (1 - owed) / rate * 1000)); return; }
      owed -= count;
      budget = 0.5;   // the most a frame may take (training.MAX_BUDGET)
    }
    inflight = true;
    var mine = generation;
    ask({ train: "step", session: session, steps: count, budget: budget }).then(function (r) {
      inflight = false;
      if (mine !== generation) return;
      if (!r.ok) { say(r.error); stop(); return; }
      if (r.state.diverged) { say("the loss is no longer a number: the learning rate is too high"); stop(); }
      if (rate === null) tick();          // the next chunk trains while this frame is drawn
      else waiting = setTimeout(tick, 100);
      draw(r.state);
    });
  }

  function go() {
    if (!session) return;
    playing = true; buttons(); say("");
    owed = 1; lastTick = performance.now();   // the first step at once
    tick();
  }
  function stop() { playing = false; if (waiting !== null) clearTimeout(waiting); waiting = null; buttons(); }
  function buttons() { play.disabled = playing; pause.disabled = !playing; stepOne.disabled = playing; }

  play.addEventListener("click", go);
  pause.addEventListener("click", stop);
  stepOne.addEventListener("click", function () {
    if (!session || inflight) return;
    inflight = true;
    var mine = generation;
    ask({ train: "step", session: session, steps: 1, budget: 0 }).then(function (r) {
      inflight = false;
      if (mine !== generation) return;
      if (!r.ok) { say(r.error); return; }
      draw(r.state);
    });
  });
  reset.addEventListener("click", function () { start(settingsNow(), true); });
  back.addEventListener("click", function (e) { e.preventDefault(); leave(); history.back(); });

  // --- drawing ------------------------------------------------------------------------
  var BLUE = [37, 99, 235], ORANGE = [234, 88, 12];
  function mix(a, b, t) { return [0, 1, 2].map(function (i) { return Math.round(a[i] + (b[i] - a[i]) * t); }); }
  function rgb(c) { return "rgb(" + c.join(",") + ")"; }

  function draw(s) {
    lastState = s;
    stepsOut.textContent = String(s.steps);
    lossOut.textContent = s.loss === null ? (s.diverged ? "not a number" : "—") : Number(s.loss).toPrecision(4);
    var gpt = s.config.data === "names";
    boundary.hidden = gpt; net.style.display = legend.style.display = gpt ? "none" : "";
    samples.hidden = !gpt;
    if (!gpt) { drawBoundary(s); drawNetwork(s); }
    else {
      samples.textContent = s.samples.length ? s.samples.map(function (p) { return "step " + p[0] + ": " + p[1].join(", "); }).join("\n")
        : "names sampled every 25 steps appear here";
    }
    drawCurve(s);
    document.body.setAttribute("data-train-frames", String(Number(document.body.getAttribute("data-train-frames") || 0) + 1));
  }

  // The plot's rectangle in the boundary canvas: room on the left and below for the axes.
  var PLOT = { x: 56, y: 8, w: 556, h: 556 };
  var AXIS_FONT = "15px system-ui, sans-serif";
  // the heat map's colours by score - threshold, from -4 to 4 in steps of 1/LUT_STEPS (tanh(8) is 1)
  var LUT_STEPS = 128, LUT_MID = 4 * LUT_STEPS, LUT = new Uint8Array(3 * (2 * LUT_MID + 1));
  for (var q = 0; q <= 2 * LUT_MID; q++) {
    var t = Math.tanh(2 * (q - LUT_MID) / LUT_STEPS);
    var rgbq = t > 0 ? mix([255, 255, 255], ORANGE, 0.65 * t) : mix([255, 255, 255], BLUE, -0.65 * t);
    LUT[3 * q] = rgbq[0]; LUT[3 * q + 1] = rgbq[1]; LUT[3 * q + 2] = rgbq[2];
  }
  function ticks(lo, hi) {   // about five round numbers between lo and hi
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / 4))), out = [];
    if ((hi - lo) / step > 10) step *= 2;
    if ((hi - lo) / step > 10) step *= 2.5;
    for (var t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(Math.abs(t) < step / 1e6 ? 0 : t);
    return out;
  }
  function drawBoundary(s) {
    var g = s.boundary, n = g.length, ctx = boundary.getContext("2d"), W = boundary.width, H = boundary.height;
    var mid = s.config.loss === "mse" ? 0.5 : 0;
    ctx.clearRect(0, 0, W, H);
    // each pixel's score interpolated (bilinear) between the grid's scores, then coloured: a smooth
    // map whose white is a thin line at the threshold, not a spot per grid cell
    var image = ctx.createImageData(PLOT.w, PLOT.h), data = image.data;
    var cols = [], col, px, py;
    for (px = 0; px < PLOT.w; px++) {
      var gx = Math.min(Math.max((px + 0.5) / PLOT.w * n - 0.5, 0), n - 1), i0 = Math.min(Math.floor(gx), n - 2);
      cols.push([i0, gx - i0]);
    }
    for (py = 0; py < PLOT.h; py++) {
      var gy = Math.min(Math.max((py + 0.5) / PLOT.h * n - 0.5, 0), n - 1), j0 = Math.min(Math.floor(gy), n - 2), fy = gy - j0;
      var top = g[j0], bottom = g[j0 + 1];
      for (px = 0; px < PLOT.w; px++) {
        col = cols[px];
        var i = col[0], fx = col[1];
        var a = top[i] === null ? mid : top[i], b = top[i + 1] === null ? mid : top[i + 1];
        var c = bottom[i] === null ? mid : bottom[i], d = bottom[i + 1] === null ? mid : bottom[i + 1];
        var sc = (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
        var k = Math.round((sc - mid) * LUT_STEPS) + LUT_MID;
        k = 3 * (k < 0 ? 0 : k > 2 * LUT_MID ? 2 * LUT_MID : k);
        var o = 4 * (py * PLOT.w + px);
        data[o] = LUT[k]; data[o + 1] = LUT[k + 1]; data[o + 2] = LUT[k + 2]; data[o + 3] = 255;
      }
    }
    ctx.putImageData(image, PLOT.x, PLOT.y);
    var e = s.extent;
    var X = function (x) { return PLOT.x + (x - e[0]) / (e[1] - e[0]) * PLOT.w; };
    var Y = function (y) { return PLOT.y + (e[3] - y) / (e[3] - e[2]) * PLOT.h; };
    // the axes: ticks, their numbers and the names x1 and x2
    ctx.strokeStyle = "#6b7280"; ctx.lineWidth = 1; ctx.strokeRect(PLOT.x - 0.5, PLOT.y - 0.5, PLOT.w + 1, PLOT.h + 1);
    ctx.fillStyle = "#374151"; ctx.font = AXIS_FONT;
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    ticks(e[0], e[1]).forEach(function (t) {
      var x = X(t); ctx.beginPath(); ctx.moveTo(x, PLOT.y + PLOT.h); ctx.lineTo(x, PLOT.y + PLOT.h + 5); ctx.stroke();
      ctx.fillText(String(Number(t.toPrecision(3))), x, PLOT.y + PLOT.h + 7);
    });
    ctx.fillText("x1", PLOT.x + PLOT.w / 2, PLOT.y + PLOT.h + 30);
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    ticks(e[2], e[3]).forEach(function (t) {
      var y = Y(t); ctx.beginPath(); ctx.moveTo(PLOT.x - 5, y); ctx.lineTo(PLOT.x, y); ctx.stroke();
      ctx.fillText(String(Number(t.toPrecision(3))), PLOT.x - 7, y);
    });
    ctx.save(); ctx.translate(14, PLOT.y + PLOT.h / 2); ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "center"; ctx.fillText("x2", 0, 0); ctx.restore();
    ctx.textAlign = "start"; ctx.textBaseline = "alphabetic";
    // the points: training ones filled, held-out ones as rings, in their class's colour
    var dots = function (points, labels, held) {
      for (var p = 0; p < points.length; p++) {
        var x = X(points[p][0]), y = Y(points[p][1]), colour = rgb(labels[p] === 1 ? ORANGE : BLUE);
        ctx.beginPath(); ctx.arc(x, y, 5.5, 0, 2 * Math.PI);
        if (held) { ctx.lineWidth = 4; ctx.strokeStyle = "#fff"; ctx.stroke(); ctx.lineWidth = 2.2; ctx.strokeStyle = colour; ctx.stroke(); }
        else { ctx.fillStyle = colour; ctx.fill(); ctx.lineWidth = 1.5; ctx.strokeStyle = "#fff"; ctx.stroke(); }
      }
    };
    dots(s.points, s.labels, false);
    dots(s.held_points || [], s.held_labels || [], true);
  }

  function svg(tag, attrs) {
    var x = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) { x.setAttribute(k, attrs[k]); });
    return x;
  }

  var edges = [], nodes = [];
  function drawNetwork(s) {
    var sizes = [2].concat(s.weights.map(function (l) { return l.b.length; }));
    var key = sizes.join("-") + s.activation;
    var W = NET_W, H = NET_H;
    var pos = function (layer, k) {
      return [40 + layer * (W - 70) / (sizes.length - 1), (k + 0.5) * (H - 20) / sizes[layer] + 10];
    };
    if (key !== shape) {   // a new architecture: build the picture once, then only restyle it
      shape = key; edges = []; nodes = [];
      net.textContent = "";
      s.weights.forEach(function (layer, l) {
        layer.w.forEach(function (row, j) {
          row.forEach(function (w, i) {
            var a = pos(l, i), b = pos(l + 1, j);
            var line = svg("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], "data-testid": "train-weight-" + l + "-" + j + "-" + i });
            line.appendChild(svg("title", {})).textContent = "L" + l + ".N" + j + ".w" + i;
            line.addEventListener("click", function () { inspect(l, j, i); });
            net.appendChild(line);
            edges.push([line, l, j, i]);
          });
        });
      });
      for (var i = 0; i < 2; i++) {
        var p = pos(0, i);
        net.appendChild(svg("circle", { cx: p[0], cy: p[1], r: 7, "class": "input" }));
        net.appendChild(svg("text", { x: p[0] - 26, y: p[1] + 5 })).textContent = "x" + (i + 1);
      }
      s.weights.forEach(function (layer, l) {
        layer.b.forEach(function (b, j) {
          var p = pos(l + 1, j);
          var c = svg("circle", { cx: p[0], cy: p[1], r: 6, "data-testid": "train-neuron-" + l + "-" + j });
          c.appendChild(svg("title", {})).textContent = "L" + l + ".N" + j + " (click: its bias)";
          c.addEventListener("click", function () { inspect(l, j, null); });
          net.appendChild(c);
          nodes.push([c, l, j]);
        });
      });
    }
    var most = 1e-9;
    s.weights.forEach(function (layer) { layer.w.forEach(function (row) { row.forEach(function (w) { most = Math.max(most, Math.abs(w)); }); }); });
    edges.forEach(function (e) {
      var w = s.weights[e[1]].w[e[2]][e[3]], t = Math.abs(w) / most;
      e[0].setAttribute("stroke", rgb(w >= 0 ? BLUE : ORANGE));
      e[0].setAttribute("stroke-width", (0.4 + 5 * t).toFixed(2));
      e[0].setAttribute("stroke-opacity", (0.25 + 0.75 * t).toFixed(2));
    });
    nodes.forEach(function (n) {
      var b = s.weights[n[1]].b[n[2]];
      n[0].setAttribute("fill", rgb(mix([255, 255, 255], b >= 0 ? BLUE : ORANGE, Math.min(1, Math.abs(b)))));
    });
  }

  function drawCurve(s) {
    // the plot inside the canvas: room on the left for the loss axis, below for the step axis
    var ctx = curve.getContext("2d"), W = curve.width, H = curve.height, L = 76, T = 10, R = 14, B = 48;
    var pw = W - L - R, ph = H - T - B;
    ctx.clearRect(0, 0, W, H);
    var train = s.losses, held = s.held_out, n = s.steps;
    var all = train.concat(held.map(function (p) { return p[1]; })).filter(function (v) { return v !== null && v > 0; });
    ctx.strokeStyle = "#9ca3af"; ctx.lineWidth = 1; ctx.strokeRect(L - 0.5, T - 0.5, pw + 1, ph + 1);
    ctx.fillStyle = "#374151"; ctx.font = AXIS_FONT;
    ctx.textAlign = "center"; ctx.textBaseline = "alphabetic";
    ctx.fillText("step", L + pw / 2, H - 6);
    ctx.save(); ctx.translate(16, T + ph / 2); ctx.rotate(-Math.PI / 2); ctx.fillText("loss (log scale)", 0, 0); ctx.restore();
    var first = s.first, x0 = Math.min(first, n), x1 = Math.max(n, x0 + 1);
    ctx.textBaseline = "top";
    ctx.fillText(String(x0), L + 8, T + ph + 6);
    ctx.fillText(String(n), L + pw - 12, T + ph + 6);
    ctx.textAlign = "start"; ctx.textBaseline = "alphabetic";
    if (!all.length) return;
    var lo = Math.log10(Math.min.apply(null, all)), hi = Math.log10(Math.max.apply(null, all));
    if (hi - lo < 1) lo = hi - 1;
    var X = function (k) { return L + pw * (k - x0) / (x1 - x0); };
    var Y = function (v) { return T + ph * (hi - Math.log10(v)) / (hi - lo); };
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    [hi, (hi + lo) / 2, lo].forEach(function (e) { ctx.fillText(Number(Math.pow(10, e)).toPrecision(2), L - 6, Y(Math.pow(10, e))); });
    ctx.textAlign = "start"; ctx.textBaseline = "alphabetic";
    function line(points, colour) {
      ctx.beginPath(); ctx.strokeStyle = colour; ctx.lineWidth = 2;
      var started = false;
      points.forEach(function (p) {
        if (p[1] === null || !(p[1] > 0)) { started = false; return; }
        if (!started) { ctx.moveTo(X(p[0]), Y(p[1])); started = true; } else ctx.lineTo(X(p[0]), Y(p[1]));
      });
      ctx.stroke();
    }
    var every = train.length > 1 ? (n - first) / (train.length - 1) : 1;
    line(train.map(function (v, k) { return [first + k * every, v]; }), "#111827");
    line(held, "#ea580c");
  }

  // --- a weight into the explorer -----------------------------------------------------
  function inspect(layer, neuron, weight) {
    if (!session) return;
    stop();
    ask({ train: "inspect", session: session, layer: layer, neuron: neuron, weight: weight }).then(function (r) {
      if (!r.ok) { say(r.error); return; }
      note.textContent = "";
      var short = function (x) { return Number(x).toPrecision(4); };
      note.appendChild(el("strong", "∂L/∂" + r.name + " = " + short(r.grad) + " at step " + (lastState ? lastState.steps : 0)));
      note.appendChild(el("p", "The chain rule sums one term per training sample: ∂L/∂a · a′(z) · h, " +
        "with a the neuron's output, z its sum and h this " + (weight === null ? "bias's input (1)" : "weight's input") +
        ". The " + r.terms.length + " largest of the " + r.samples + " terms are drawn as g·act(w·h + r), the rest of the " +
        "network folded into the numbers g (∂L/∂a) and r (the rest of the sum); the other " + (r.samples - r.terms.length) +
        " terms add up to " + short(r.rest) + ", drawn as that times w. So ∂f/∂w below is the whole sum: " + short(r.sum) + "."));
      var terms = el("p", "terms: " + r.terms.map(function (t) { return "sample " + t.sample + ": " + short(t.upstream) + " · a′ · " + short(t.input) + " = " + short(t.term); }).join("; "));
      terms.className = "hint";
      note.appendChild(terms);
      var again = el("a", "← back to training"); again.href = "#"; again.setAttribute("data-testid", "train-return");
      again.addEventListener("click", function (e) { e.preventDefault(); history.back(); });
      note.appendChild(again);
      note.hidden = false;
      leave();
      $("expression").value = r.expression;
      $("values").value = r.values;
      $("order").value = "1";
      $("collapse").value = "";
      api.hooks.request(false);   // the explorer's own request: its answer pushes the explorer's link
    });
  }
  $("form").addEventListener("submit", function () { note.hidden = true; });

  // --- in and out of the view -----------------------------------------------------------
  function enter() {
    document.body.classList.add("training");
    view.hidden = false;
    var c = readFragment(location.hash);
    var why = "";
    if (c.error) { why = c.error + "; the view starts with its defaults"; c = readFragment("#train"); }
    var same = lastState && JSON.stringify(settingsNow()) === JSON.stringify(c);
    if (!same || !session) start(c, false, why);
    else if (why) say(why);
    else buttons();
  }
  function leave() {
    stop();
    document.body.classList.remove("training");
    view.hidden = true;
    try { api.fit(); } catch (err) { /* no graph yet: its first answer fits it */ }   // drawn while hidden, it had no size
  }
  function route() { if (isTrainHash()) enter(); else if (document.body.classList.contains("training")) leave(); }
  window.addEventListener("hashchange", route);
  window.addEventListener("popstate", route);
  buttons();
  fill(DEFAULTS);
  route();
})();
