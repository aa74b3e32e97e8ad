"""`make bench`: run every bench/bench_*.py, print each figure beside its target,
write bench/results.json as a list of {"name", "value", "unit", "target", "met"}.

Usage: python bench/run.py [AREA ...]   (e.g. `python bench/run.py log speech`: only those figures
are measured again; the others stay as they are in bench/results.json)
A benchmark that fails is reported as such (value null, met false) and the others still run.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main(argv: list[str]) -> int:
    wanted = set(argv)
    results: list[dict[str, object]] = []
    for path in sorted(HERE.glob("bench_*.py")):
        area = path.stem.removeprefix("bench_")
        if wanted and area not in wanted:
            continue
        print(f"== {area} ({path.name})", flush=True)
        t0 = time.perf_counter()
        try:
            spec = importlib.util.spec_from_file_location(path.stem, path)
            assert spec and spec.loader
            mod = importlib.util.module_from_spec(spec)
            sys.modules[path.stem] = mod  # dataclasses look their module up by name
            spec.loader.exec_module(mod)
            figures = mod.run()
        except Exception as exc:
            traceback.print_exc()
            figures = [{"name": f"{area}.error", "value": None, "unit": "", "target": "runs",
                        "met": False, "note": f"{type(exc).__name__}: {exc}"}]
        for f in figures:
            v = f["value"]
            shown = f"{v:.3f}" if isinstance(v, float) else str(v)
            mark = "ok  " if f["met"] else "MISS"
            print(f"  {mark} {f['name']:<44} {shown:>12} {f['unit']:<8} target {f['target']}", flush=True)
        print(f"   ({time.perf_counter() - t0:.0f} s)", flush=True)
        results.extend(figures)
    out = HERE / "results.json"
    if wanted and out.exists():  # a partial run updates its own figures and keeps the others
        # (by name: an area's figures need not start with its name, bench_audio's are "qualify.audio_*";
        # only a re-run area's old error row goes with it)
        produced = {r["name"] for r in results} | {f"{a}.error" for a in wanted}
        kept = [r for r in json.loads(out.read_text()) if r["name"] not in produced]
        results = kept + results
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    met = sum(1 for r in results if r["met"])
    print(f"{met}/{len(results)} figures meet their target; written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
