"""The op-table tests (tests/test_ops_table.py, unchanged) under Pyodide's Python, without pytest.

Pyodide's core has no pytest, so a stand-in module gives the two things the
file uses, ``mark.parametrize`` and ``raises``; each test function then runs
with each of its cases. Run by tests/test_site.py through run_in_pyodide.mjs.
"""

import sys
import traceback
import types


class _Raises:
    def __init__(self, kind):
        self.kind, self.value = kind, None

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            raise AssertionError(f"did not raise {self.kind.__name__}")
        if not issubclass(kind, self.kind):
            return False
        self.value = value
        return True


def _parametrize(name, cases, ids=None):
    def mark(fn):
        fn.cases = (name, list(cases))
        return fn
    return mark


def main() -> None:
    pytest = types.ModuleType("pytest")
    pytest.raises = _Raises
    pytest.mark = types.SimpleNamespace(parametrize=_parametrize)
    sys.modules["pytest"] = pytest

    from tests import test_ops_table

    ran = failed = 0
    for name in dir(test_ops_table):
        fn = getattr(test_ops_table, name)
        if not name.startswith("test_") or not callable(fn):
            continue
        for case in getattr(fn, "cases", (None, [None]))[1]:
            ran += 1
            try:
                fn(case) if hasattr(fn, "cases") else fn()
            except Exception:  # noqa: BLE001 - count it, show it, go on
                failed += 1
                if failed <= 10:
                    print(f"FAILED {name}[{case!r}]")
                    traceback.print_exc()
    print(f"op-table tests under Pyodide (Python {sys.version.split()[0]}, {sys.platform}): "
          f"{ran - failed} passed, {failed} failed")
    sys.exit(1 if failed or not ran else 0)


if __name__ == "__main__":
    main()
