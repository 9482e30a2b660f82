/* autograd_lite's live explorer: the form, the sliders and the link, on top of page.js.
 *
 * Every number comes from the engine: each evaluation sends the form to a
 * transport and draws what comes back. The transport is `serve`'s HTTP
 * endpoint (a fetch), or, in the browser-only site, window.autogradTransport
 * (site.js: a message to the Web Worker that runs the package in Pyodide).
 *
 * The URL fragment holds the view, so a link opens it again and the back
 * button walks through evaluations:
 *   #e=<expression>&v=<values>&o=<order>&c=<collapse>&x=<opened scope>...&s=<step>&m=<modes>&d=<difficulty>
 * each part percent-encoded; o, c, x, s, m and d may be left out. m lists the modes, comma-separated:
 * m=present (presentation mode), m=practice (practice mode, asking for what d says: both (the
 * default: local derivatives and grads), local, grad, values (the forward values) or all), or
 * m=present,practice. The static page reads and writes m, d and s in the same format (no e or v:
 * its expression is built in). A link with m=practice opens practice at its step s. A fragment that starts with "train" is the
 * training view's (train.js reads it). A fragment is data:
 * it only fills the form, and what it holds is shown with textContent.
 */
(function () {
  "use strict";
  var api = window.autogradExplorer;
  var $ = function (id) { return document.getElementById(id); };
  var el = api.el, formatNumber = api.formatNumber;
  var token = new URLSearchParams(location.search).get("token") || "";
  var busy = false, again = null, variables = [];
  var MAX_FRAGMENT = 12000;   // characters: an expression and its values are at most 10,000 each, as text
  var KEYS = { e: "expression", v: "values", o: "order", c: "collapse", x: "opened scope", s: "step", m: "mode",
    d: "difficulty" };
  var LEVELS = ["both", "local", "grad", "values", "all"];

  function showError(message, pointer) {
    $("error").hidden = !message;
    $("error-message").textContent = message || "";
    $("error-pointer").textContent = pointer || "";
    $("error-pointer").hidden = !pointer;
  }


  function valuesText() {
    return variables.map(function (v) { return v.name + "=" + v.text; }).join(" ");
  }

  function results(r, fresh) {
    $("results").hidden = false;
    $("value").textContent = r.valueText;
    var box = $("grads");
    if (fresh) {
      box.textContent = "";
      variables = r.inputs.map(function (inp) {
        var row = el("div", undefined, "grad");
        row.appendChild(el("span", inp.name + " ="));
        var given = el("span", inp.text, "given");
        var slider = el("input");
        slider.type = "range";
        var span = Math.max(1, Math.abs(inp.value)) * 2;
        slider.min = inp.value - span; slider.max = inp.value + span;
        slider.step = span / 100;
        slider.value = inp.value;
        slider.setAttribute("data-testid", "slider-" + inp.name);
        slider.setAttribute("aria-label", inp.name);
        var v = { name: inp.name, text: inp.text, given: given };
        slider.addEventListener("input", function () {
          v.text = formatNumber(Number(slider.value));   // the number sent is the number shown
          given.textContent = v.text;
          $("values").value = valuesText();
          request(true);
        });
        // a slider let go is one evaluation for the back button
        slider.addEventListener("change", function () { remember(true); });
        var g = el("output");
        g.setAttribute("data-testid", "grad-" + inp.name);
        v.grad = g;
        row.appendChild(given);
        row.appendChild(slider);
        row.appendChild(el("span", "∂f/∂" + inp.name + " ="));
        row.appendChild(g);
        box.appendChild(row);
        return v;
      });
    }
    variables.forEach(function (v) { v.grad.textContent = r.gradTexts[v.name]; });
    var d = $("derivatives");
    d.textContent = "";
    (r.derivatives || []).forEach(function (x, i) {
      var k = i === 0 ? "" : String(i + 1).replace(/[0-9]/g, function (c) { return "⁰¹²³⁴⁵⁶⁷⁸⁹"[c]; });
      var s = el("div", "d" + k + "f/d" + r.inputs[0].name + k + " = " + r.derivativeTexts[i]);
      s.setAttribute("data-testid", "derivative-" + (i + 1));
      d.appendChild(s);
    });
    api.maskResults();   // practice mode hides them until answered
  }

  // --- the transport: serve's endpoint, unless the page brings its own -----------------
  function fetchTransport(body) {
    return fetch("api/explore?token=" + encodeURIComponent(token), {
      method: "POST", headers: { "Content-Type": "application/json" }, body: body
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, error: "the server answered " + response.status }; });
    }, function () {
      return { ok: false, error: "cannot reach the explorer's server: is autograd-lite serve still running?" };
    });
  }
  var transport = window.autogradTransport || fetchTransport;

  // --- the link: the view in the URL fragment ---------------------------------------
  var shownExpand = [];      // the scopes opened in the picture shown
  var stepWanted = null;     // the step a link asks for, shown once its evaluation arrives
  var remembering = false;   // an evaluation from the back button is not pushed again
  var linkError = null;      // why the link could not be opened: shown over the example's first answer
  var practiceWanted = null; // the link's practice mode and difficulty, set once its evaluation arrives

  function fragment() {
    var parts = ["e=" + encodeURIComponent($("expression").value), "v=" + encodeURIComponent($("values").value)];
    var order = $("order").value.trim(), depth = $("collapse").value.trim();
    if (order && order !== "1") parts.push("o=" + encodeURIComponent(order));
    if (depth) parts.push("c=" + encodeURIComponent(depth));
    shownExpand.forEach(function (p) { parts.push("x=" + encodeURIComponent(p)); });
    parts.push("s=" + api.step());
    var modes = [], level = api.practising();
    if (api.presenting()) modes.push("present");
    if (level) modes.push("practice");
    if (modes.length) parts.push("m=" + modes.join(","));
    if (level && level !== "both") parts.push("d=" + level);
    return "#" + parts.join("&");
  }

  // The view a fragment asks for, or {error}. Never throws.
  function readFragment(text) {
    var h = text.charAt(0) === "#" ? text.slice(1) : text;
    if (h.length > MAX_FRAGMENT) {
      return { error: "this link's view is " + h.length + " characters long; the limit is " + MAX_FRAGMENT };
    }
    var view = { expression: null, values: "", order: "1", collapse: "", expand: [], step: null, present: false,
      practice: false, difficulty: "both" };
    var pieces = h.split("&");
    for (var i = 0; i < pieces.length; i++) {
      if (!pieces[i]) continue;
      var eq = pieces[i].indexOf("=");
      var key = eq < 0 ? pieces[i] : pieces[i].slice(0, eq), value;
      try { value = decodeURIComponent(eq < 0 ? "" : pieces[i].slice(eq + 1)); }
      catch (err) { return { error: "this link's view is malformed (a broken %-escape in " + key.slice(0, 20) + ")" }; }
      if (!Object.prototype.hasOwnProperty.call(KEYS, key)) {
        return { error: "this link's view is malformed: it has a part named " + JSON.stringify(key.slice(0, 20)) +
          "; a link holds e (expression), v (values), o (order), c (collapse), x (opened scopes), s (step) " +
          "and m (mode)" };
      }
      if ((key === "o" || key === "c" || key === "s") && value !== "" && !/^[0-9]{1,4}$/.test(value)) {
        return { error: "this link's view is malformed: its " + KEYS[key] + " must be a whole number" };
      }
      if (key === "m" && !value.split(",").every(function (m) { return m === "present" || m === "practice" || m === ""; })) {
        return { error: "this link's view is malformed: its mode must be m=present, m=practice, m=present,practice " +
          "or left out" };
      }
      if (key === "d" && LEVELS.indexOf(value) < 0) {
        return { error: "this link's view is malformed: its difficulty must be d=" + LEVELS.join(", d=") + " or left out" };
      }
      if (key === "m") {
        view.present = value.split(",").indexOf("present") >= 0;
        view.practice = value.split(",").indexOf("practice") >= 0;
      } else if (key === "d") view.difficulty = value;
      else if (key === "e") view.expression = value;
      else if (key === "v") view.values = value;
      else if (key === "o") view.order = value || "1";
      else if (key === "c") view.collapse = value;
      else if (key === "x") view.expand.push(value);
      else view.step = value === "" ? null : Number(value);
    }
    if (view.expression === null) return { error: "this link's view is malformed: it has no expression (e=...)" };
    return view;
  }

  // Fill the form from the fragment and evaluate; false when there is none or it is bad.
  function openFragment() {
    if (location.hash.length <= 1) return false;
    if (/^#train(&|$)/.test(location.hash)) return false;   // the training view's link: train.js reads it
    var view = readFragment(location.hash);
    if (view.error) { linkError = view.error + ". The page shows its example instead."; return false; }
    $("expression").value = view.expression;
    $("values").value = view.values;
    $("order").value = view.order;
    $("collapse").value = view.collapse;
    stepWanted = view.step;
    practiceWanted = view;
    api.present(view.present);
    remembering = true;
    request(false, view.expand);
    return true;
  }

  // The view into the address: a new history entry for an evaluation, or the same entry updated.
  function remember(push) {
    if (!history.replaceState || document.body.classList.contains("training")) return;   // the training view owns the link
    var hash = fragment();
    if (hash === location.hash) return;
    try {
      if (push && location.hash.length > 1) history.pushState(null, "", hash);   // the first view replaces the bare address
      else history.replaceState(null, "", hash);
    } catch (err) { /* a sandboxed page keeps no history: the view still works */ }
  }

  api.hooks.shown = function () { if (!busy && stepWanted === null) remember(false); };
  window.addEventListener("popstate", function () { openFragment(); });

  // --- asking the engine ------------------------------------------------------------
  // One request in flight at a time; a slider moved meanwhile sends once more when it returns.
  var expandNext = [];
  function request(fromSlider, expand) {
    if (expand !== undefined) expandNext = expand;
    else if (!fromSlider) expandNext = [];
    var depth = $("collapse").value.trim();
    var body = JSON.stringify({ expression: $("expression").value, values: $("values").value,
      order: Number($("order").value) || 1, collapse: depth ? Number(depth) : null, expand: expandNext });
    if (busy) { again = fromSlider; return; }
    busy = true;
    var fromLink = remembering;
    remembering = false;
    transport(body).then(function (r) {
      if (!r.ok) { showError(r.error, r.pointer); shown(); return; }
      showError(linkError || "");
      linkError = null;
      var old = api.liveState();
      var reshaped = !old || JSON.stringify(old.expand) !== JSON.stringify(r.state.expand);
      api.setLiveState(r.state);
      shownExpand = r.state.expand;
      // the results first: the graph's pane has its final size when load frames the picture
      results(r, !fromSlider && expand === undefined || fromLink);
      api.load(r.svg, r.model, fromSlider && !reshaped);
      api.scopeButton();
      if (practiceWanted) {
        var p = practiceWanted;
        practiceWanted = null;
        api.setPractice(p.practice, p.difficulty, stepWanted !== null ? stepWanted : undefined);
      }
      if (stepWanted !== null) { var k = stepWanted; stepWanted = null; api.show(k); }
      if (!fromLink) remember(!fromSlider);
      shown();
    }).catch(function (err) {
      showError("the explorer could not draw this answer: " + (err && err.message ? err.message : err));
    }).then(function () {
      busy = false;
      if (again !== null) { var s = again; again = null; request(s, expandNext); }
    });
  }
  api.hooks.request = request;

  // an answer is on the page (drawn, or its message shown): for the site's status line and the benchmark
  var answers = 0;
  function shown() {
    answers += 1;
    document.body.setAttribute("data-answers", String(answers));
    document.dispatchEvent(new CustomEvent("explorer:answered"));
  }

  $("form").addEventListener("submit", function (e) { e.preventDefault(); api.pause(); request(false); });
  if (!openFragment()) request(false);
})();
