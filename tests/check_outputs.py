#!/usr/bin/env python
"""Check the outputs stored in the notebooks (written by `tests/refresh_outputs.py`); runs nothing.

For every notebook in nbs/:
- every code cell nbdev-test runs has stored outputs from its current source: its metadata's
  `yolc_nb.source_sha256` equals the hash of its source (a cell edited since the last refresh fails);
  a skipped cell (`#| slow`, `#| gpu`, `eval: false`) may have no outputs, but outputs it has must be current;
- every cell that draws a figure has an image output: its last statement shows a figure (a call of a kit
  function that returns a matplotlib Figure or an ipywidgets widget, or a name bound to one in the cell), or
  it draws with pyplot (`plt.subplots(`, `plt.figure(` outside a function) and does not close the figure;
- no widget view is stored (GitHub cannot render one; the widget's figure is stored as an image instead),
  no error output, no absolute path of this machine;
- the notebook is under 3 MB;
- figures are readable: stored images at 100 dpi or more, no font size under 9 pt in any code cell
  (`fontsize=`, `labelsize=`, `titlesize=`, a `"size":` entry), no image stored twice in one notebook;
- notebooks teach in readable pieces: no exported cell over 60 lines, no passage that points to material a reader
  cannot open ("first draft", "design document"), and every numbered notebook but `00_core` and `14_cli` shows a
  figure (a stored image, or a Markdown image of a run's figure);
- a cell that shows `results_table("NAME")` stores exactly the Markdown of `nbs/results/NAME.json` now:
  a table a reader sees is the one its run wrote;
- a Markdown table typed in a notebook (the README's come from `index.ipynb`) that has the header of a results file
  holds exactly that file's rows, and a typed table row that quotes a paired difference over seeds
  (`+0.049 [+0.020, +0.077], ahead on 32 of 47 seeds`, then its MDE) quotes a row of a results file.

    python tests/check_outputs.py [NOTEBOOK ...]

Prints one line per notebook (and one per problem), then `N passed, N failed`; exit status 1 on any failure.
"""
from __future__ import annotations
import argparse, ast, base64, hashlib, importlib, inspect, io, json, pkgutil, re, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _nbutil import NBS, WIDGET_VIEW, cell_source, load_nb, notebooks, skipped_by_nbdev_test, source_hash, stored_hash  # noqa: E402

MAX_NB_BYTES = 3 * 2**20
MACHINE_PATH_RE = re.compile(r"(?<![\w.])/(?:work|tmp|root|home)/")
MIN_DPI, MIN_FONT_PT = 100, 9
SMALL_FONT_RE = re.compile(r"(?:\b(?:fontsize|labelsize|titlesize)\s*=\s*|[\"'](?:size|font\.size|fontsize)[\"']\s*:\s*)(\d+(?:\.\d+)?)\b")
MAX_EXPORTED_LINES = 60
UNOPENABLE_RE = re.compile(r"first draft|design doc", re.I)
NO_FIGURE_NEEDED = {"00_core.ipynb", "14_cli.ipynb"}
RESULTS_CALL_RE = re.compile(r"results_table\(\s*[\"']([^\"']+)[\"']")

def image_dpi(png_b64: str) -> float | None:
    "The resolution a stored PNG declares (its pHYs chunk), or None."
    from PIL import Image
    dpi = Image.open(io.BytesIO(base64.b64decode(png_b64))).info.get("dpi")
    return float(dpi[0]) if dpi else None

def results_problem(src: str, outs: list) -> str | None:
    "For a cell that shows `results_table(NAME)`: why its stored Markdown differs from `nbs/results/NAME.json`, or None."
    if not (m := RESULTS_CALL_RE.search(src)): return None
    from yolc_nb.notebooks import render_results
    f = NBS / "results" / f"{m.group(1)}.json"
    if not f.is_file(): return f"shows results_table({m.group(1)!r}) but nbs/results/{f.name} does not exist"
    want = render_results(json.loads(f.read_text(encoding="utf-8")))
    have = ["".join(o["data"]["text/markdown"]) for o in outs if "text/markdown" in o.get("data", {})]
    if want not in have: return f"its stored table differs from nbs/results/{f.name} (refresh the notebook after the run)"
    return None

QUOTE_RE = re.compile(r"([+-]\d\.\d{3}) (\[[+-]\d\.\d{3}, [+-]\d\.\d{3}\]), ahead on (\d+ of \d+) seeds \| (\d\.\d{3})")

def _cells(line: str) -> list[str]: return [c.strip() for c in line.strip().strip("|").split("|")]

def results_files() -> dict:
    "Every results file: {name: (header cells, rows as lists of strings)}."
    out = {}
    for f in sorted((NBS / "results").glob("*.json")):
        r = json.loads(f.read_text(encoding="utf-8"))
        out[f.stem] = ([str(c) for c in r["columns"]], [[str(v) for v in row] for row in r["rows"]])
    return out

def typed_table_problems(md: str, results: dict) -> list[str]:
    "Problems of the Markdown tables typed in one cell: a results file's header with other rows, or a quoted paired difference no results file holds."
    lines, out = md.splitlines(), []
    quotes = {(row[cols.index("− no KD, +crops")].split(" ")[0], row[cols.index("95% interval")], row[cols.index("ahead")], row[cols.index("MDE")])
              for cols, rows in results.values() if {"− no KD, +crops", "95% interval", "ahead", "MDE"} <= set(cols) for row in rows}
    for i, l in enumerate(lines):
        if not (l.startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|---")): continue
        body = [_cells(x) for x in lines[i + 2:][:next((k for k, x in enumerate(lines[i + 2:]) if not x.startswith("|")), len(lines) - i - 2)]]
        for name, (cols, rows) in results.items():
            if _cells(l) == cols and body != rows: out.append(f"a typed table with the header of nbs/results/{name}.json holds other rows than the file")
        for row in body:
            if (m := QUOTE_RE.search(" | ".join(row))) and m.groups() not in quotes:
                out.append(f"a typed table quotes {m.group(0)!r}, which no results file holds (nbs/results/kd_*.json)")
    return out

def figure_makers() -> set[str]:
    "Names of the kit's functions that return a matplotlib Figure or an ipywidgets widget."
    import yolc_nb
    names = set()
    for m in pkgutil.iter_modules(yolc_nb.__path__):
        if m.name.startswith("_") or m.name == "cli": continue
        mod = importlib.import_module(f"yolc_nb.{m.name}")
        for name, f in vars(mod).items():
            if not inspect.isfunction(f) or f.__module__ != mod.__name__: continue
            ret = str(inspect.signature(f).return_annotation)
            try: src = inspect.getsource(f)
            except (OSError, TypeError): src = ""
            if "Figure" in ret or re.search(r"return\s+(\w+\.)?interactive\(", src): names.add(name)
    return names

def _called(node) -> str | None:
    if isinstance(node, ast.Call):
        f = node.func
        return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
    return None

def _top_level_calls(tree) -> set[str]:
    "`plt.<name>` calls outside function and class definitions (those run when the cell runs)."
    out, todo = set(), list(tree.body)
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)): continue
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) and n.func.value.id == "plt":
            out.add(n.func.attr)
        todo.extend(ast.iter_child_nodes(n))
    return out

def shows_figure(src: str, makers: set[str]) -> bool:
    "True when a cell's source displays a figure (see the module's docstring)."
    code = "\n".join(l for l in src.splitlines() if not l.lstrip().startswith(("#|", "%", "!")))
    try: tree = ast.parse(code)
    except SyntaxError: return False
    plt_calls = _top_level_calls(tree)
    if plt_calls & {"subplots", "figure"} and "close" not in plt_calls: return True
    if not tree.body or not isinstance(last := tree.body[-1], ast.Expr): return False
    if _called(last.value) in makers or _called(last.value) == "display": return True
    if isinstance(last.value, ast.Name):     # `w = heatmap_explorer(...)` ... `w`
        for st in tree.body:
            if isinstance(st, ast.Assign) and any(isinstance(t, ast.Name) and t.id == last.value.id for t in st.targets) \
                    and _called(st.value) in makers: return True
    return False

def problems(path: Path, makers: set[str], results: dict | None = None) -> list[str]:
    nb, out, seen = load_nb(path), [], {}
    results = results_files() if results is None else results
    if (size := path.stat().st_size) > MAX_NB_BYTES: out.append(f"{size / 2**20:.1f} MB, over {MAX_NB_BYTES // 2**20} MB")
    n_figures = 0
    for i, c in enumerate(nb["cells"]):
        where = f"cell {i} ({c.get('id')})"
        if (m := UNOPENABLE_RE.search(cell_source(c))): out.append(f"{where}: refers to a {m.group(0)!r} a reader cannot open")
        if c["cell_type"] != "code":
            out += [f"{where}: {q}" for q in typed_table_problems(cell_source(c), results)]
            n_figures += bool(re.search(r"!\[[^\]]*\]\([^)]+\.(?:png|svg|jpg)\)", cell_source(c)))
            continue
        if re.match(r"\s*#\|\s*export", cell_source(c)) and (n := len(cell_source(c).splitlines())) > MAX_EXPORTED_LINES:
            out.append(f"{where}: an exported cell of {n} lines, over {MAX_EXPORTED_LINES}: meet each function with its prose and test")
        skipped, outs = skipped_by_nbdev_test(c), c.get("outputs", [])
        if (not skipped or outs) and stored_hash(c) != source_hash(c):
            out.append(f"{where}: outputs not from the current source (stored hash {stored_hash(c)}, source {source_hash(c)})")
        if not skipped and shows_figure(cell_source(c), makers) and not any("image/png" in o.get("data", {}) for o in outs):
            out.append(f"{where}: draws a figure but stores no image")
        src = cell_source(c)
        for m in SMALL_FONT_RE.finditer(src):
            if float(m.group(1)) < MIN_FONT_PT: out.append(f"{where}: font size {m.group(0)!r}, under {MIN_FONT_PT} pt")
        if (r := results_problem(src, outs)): out.append(f"{where}: {r}")
        for o in outs:
            if (png := o.get("data", {}).get("image/png")):
                n_figures += 1
                png = png if isinstance(png, str) else "".join(png)
                if (d := image_dpi(png)) is not None and d < MIN_DPI - 0.5: out.append(f"{where}: a figure stored at {d:.0f} dpi, under {MIN_DPI}")
                if (h := hashlib.sha256(png.encode()).hexdigest()) in seen: out.append(f"{where}: the same image as {seen[h]} is stored again")
                seen.setdefault(h, where)
            if WIDGET_VIEW in o.get("data", {}): out.append(f"{where}: a widget view is stored (GitHub cannot render it)")
            if o.get("output_type") == "error": out.append(f"{where}: an error is stored: {o.get('ename')}: {o.get('evalue', '')[:120]}")
            text = o.get("text", "") if o.get("output_type") == "stream" else "".join(
                v if isinstance(v, str) else "".join(v) for k, v in o.get("data", {}).items() if k.startswith("text/"))
            text = text if isinstance(text, str) else "".join(text)
            if m := MACHINE_PATH_RE.search(text): out.append(f"{where}: a machine path in an output: ...{text[max(0, m.start() - 30):m.end() + 30]!r}")
    if re.match(r"\d\d_", path.name) and path.name not in NO_FIGURE_NEEDED and not n_figures:
        out.append("shows no figure: store one (a numbered notebook shows its key result as a figure)")
    return out

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", help="notebook names in nbs/ (default: all)")
    a = ap.parse_args(argv)
    names = [Path(n).name if n.endswith(".ipynb") else f"{n}.ipynb" for n in a.notebooks]
    paths = [NBS / n for n in names] if names else notebooks()
    makers, results, failed = figure_makers(), results_files(), 0
    for p in paths:
        probs = problems(p, makers, results)
        failed += bool(probs)
        print(f"{'FAIL' if probs else 'pass'}  {p.name}" + "".join(f"\n      {q}" for q in probs[:20])
              + (f"\n      ... and {len(probs) - 20} more" if len(probs) > 20 else ""), flush=True)
    if failed: print("refresh the stored outputs: python tests/refresh_outputs.py NOTEBOOK")
    print(f"{len(paths) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
