/* The browser-only site (autograd-lite site OUT): the live explorer with its engine in a Web Worker.
 *
 * live.js asks window.autogradTransport instead of a server; this file
 * answers by passing the request to worker.js, which runs autograd_lite itself
 * in Pyodide. The status line says what is loading, "ready" once the first
 * view is drawn, or in words why the runtime could not load.
 * SITE (written by site.py) says where the runtimes and wheels are.
 */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  document.body.classList.add("site");
  var status = $("status");
  var failed = null, pending = {}, next = 0, worker = null;

  function say(text, bad) {
    status.textContent = text;
    status.classList.toggle("failed", !!bad);
  }

  var where = SITE.runtime === "CDN" ? "from " + new URL(SITE.pyodide).host : "from this site";
  var about = document.createElement("span");
  about.className = "runtime";
  about.setAttribute("data-testid", "runtime");
  about.textContent = "Pyodide " + SITE.versions.pyodide + ", @viz-js/viz " + SITE.versions.viz + ", " + where;
  status.parentNode.insertBefore(about, status.nextSibling);

  function fail(why) {
    failed = why;
    say("The explorer cannot start: " + why, true);
    Object.keys(pending).forEach(function (id) {
      pending[id]({ ok: false, error: "the explorer's engine did not load: " + why });
      delete pending[id];
    });
  }

  say("Loading the Python runtime (Pyodide " + SITE.versions.pyodide + ", " + where + ")…");
  var absolute = function (u) { return new URL(u, location.href).href; };
  try {
    worker = new Worker(SITE.worker, { type: "module" });
  } catch (err) {
    fail("this browser cannot start a module Web Worker here (" + (err && err.message || err) +
      "); open the site from a web server, not as a file");
  }
  if (worker) {
    worker.onmessage = function (e) {
      var m = e.data || {};
      if (m.status && !failed) say(m.status);
      else if (m.failed) fail(m.failed);
      else if (pending[m.id]) { var done = pending[m.id]; delete pending[m.id]; done(m.answer); }
    };
    worker.onerror = function (e) {
      if (e.preventDefault) e.preventDefault();
      fail("its worker stopped (" + (e.message || "an error while loading worker.js") + ")");
    };
    worker.postMessage({ init: { pyodide: absolute(SITE.pyodide), viz: absolute(SITE.viz),
      wheels: SITE.wheels.map(absolute) } });
  }

  window.autogradTransport = function (body) {
    if (failed) return Promise.resolve({ ok: false, error: "the explorer's engine did not load: " + failed });
    return new Promise(function (resolve) {
      var id = next++;
      pending[id] = resolve;
      worker.postMessage({ id: id, body: body });
    });
  };
  document.addEventListener("explorer:answered", function () { if (!failed) say("ready"); });
})();
