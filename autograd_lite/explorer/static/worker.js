/* The browser-only site's engine: a module Web Worker running autograd_lite in Pyodide.
 *
 * On {init}: load Pyodide and Graphviz for WebAssembly from the URLs given,
 * put the site's wheels on sys.path, and hand Graphviz to the package as its
 * layout (DOT in, SVG out). Then each {id, body} is answered by the package's
 * own Python (autograd_lite.explorer.site.worker_answer), one at a time, off
 * the page's thread so the page never freezes.
 */
let engine = null;

function say(status) { self.postMessage({ status: status }); }

async function load(url, what) {
  try {
    return await import(url);
  } catch (err) {
    throw new Error("could not load " + what + " from " + url + " (no network, or a blocked CDN?): " +
      (err && err.message || err));
  }
}

async function start(config) {
  const { loadPyodide } = await load(config.pyodide + "pyodide.mjs", "Pyodide");
  const pyodide = await loadPyodide({ indexURL: config.pyodide });
  say("Loading Graphviz (WebAssembly)…");
  const { instance } = await load(config.viz, "Graphviz for WebAssembly");
  const viz = await instance();
  say("Loading autograd_lite…");
  const paths = [];
  pyodide.FS.mkdirTree("/wheels");
  for (const url of config.wheels) {
    let response;
    try { response = await fetch(url); } catch (err) { throw new Error("could not fetch " + url); }
    if (!response.ok) throw new Error(url + " answered " + response.status);
    const path = "/wheels/" + url.split("/").pop();
    pyodide.FS.writeFile(path, new Uint8Array(await response.arrayBuffer()));
    paths.push(path);
  }
  pyodide.globals.set("site_wheels", pyodide.toPy(paths));
  pyodide.runPython("import sys\nsys.path[:0] = site_wheels");   // pure-Python wheels import as zips
  const site = pyodide.pyimport("autograd_lite.explorer.site");
  site.use_layout((dot) => viz.renderString(dot, { format: "svg" }));
  say("Drawing the first graph…");
  return site.worker_answer;
}

self.onmessage = async (e) => {
  const m = e.data || {};
  if (m.init) {
    engine = start(m.init);
    engine.catch((err) => self.postMessage({ failed: String(err && err.message || err) }));
    return;
  }
  let answer;
  try {
    answer = JSON.parse((await engine)(m.body));
  } catch (err) {
    answer = { ok: false, error: "the explorer's engine failed: " + String(err && err.message || err).slice(-300) };
  }
  self.postMessage({ id: m.id, answer: answer });
};
