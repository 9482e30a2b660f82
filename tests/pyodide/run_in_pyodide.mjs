// Run a Python script under Pyodide in Node, with wheels on sys.path:
//   node run_in_pyodide.mjs NODE_MODULES SCRIPT.py [FILE_OR_WHEEL ...]
// A .whl goes on sys.path (a pure-Python wheel imports as a zip); any other file is
// copied into /work (the script's working directory). Exits with the script's status.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, script, ...files] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(nodeModules, "pyodide", "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: path.join(nodeModules, "pyodide") + path.sep });
pyodide.FS.mkdirTree("/work/tests");
const wheels = [];
for (const file of files) {
  const target = file.endsWith(".whl") ? "/work/" + path.basename(file) : "/work/tests/" + path.basename(file);
  pyodide.FS.writeFile(target, fs.readFileSync(file));
  if (file.endsWith(".whl")) wheels.push(target);
}
pyodide.FS.writeFile("/work/tests/__init__.py", "");
pyodide.FS.chdir("/work");
pyodide.globals.set("wheels", pyodide.toPy(wheels));
pyodide.runPython("import sys\nsys.path[:0] = ['/work', *wheels]");
try {
  pyodide.runPython(fs.readFileSync(script, "utf8"), { filename: path.basename(script) });
  process.exit(0);
} catch (err) {
  const status = /SystemExit: (\d+)/.exec(String(err));
  if (!status) console.error(String(err));
  process.exit(status ? Number(status[1]) : 1);
}
