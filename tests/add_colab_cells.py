#!/usr/bin/env python
"""Make the notebooks Colab-ready: an "Open in Colab" badge and a hidden install cell in each (idempotent).

In every notebook of `nbs/` but index.ipynb, right after the title cell (`# Title` + `> description`):
1. a markdown cell with the badge linking to the notebook on GitHub through Colab (nbdev turns the title cell
   into the page's front matter, so the badge needs its own cell to show on the docs page);
2. a `#| hide` code cell that installs the kit only when it runs in Colab; anywhere else (nbdev-test, nbclient,
   docs processing, a local Jupyter) it only imports `sys`. The magic is called as
   `get_ipython().run_line_magic("pip", ...)`, valid Python inside an `if` block.
Cells already there are updated in place (same ids), so running it twice changes nothing; notebooks are written
the way `nbdev-clean` writes them.

    python tests/add_colab_cells.py [--check] [--nbs-dir DIR] [NOTEBOOK ...]

--check: change nothing, exit 1 if a notebook lacks (or has stale) Colab cells.
"""
from __future__ import annotations
import argparse, json, re, sys, tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _nbutil import NBS, OUTPUT_KEY, REPO, cell_source, notebooks, source_hash  # noqa: E402

BADGE_ID, INSTALL_ID = "colab-badge", "colab-install"
BADGE_IMG = "https://colab.research.google.com/assets/colab-badge.svg"

def project_info():
    "(distribution name, GitHub 'owner/repo', branch) from pyproject.toml and nbs/nbdev.yml."
    with open(REPO / "pyproject.toml", "rb") as f: proj = tomllib.load(f)["project"]
    url = proj.get("urls", {}).get("Repository", "")
    m = re.match(r"https?://github\.com/([^/]+/[^/#?]+?)(?:\.git)?/?$", url)
    if not m: raise SystemExit(f"pyproject.toml [project.urls] Repository must be a GitHub URL; got {url!r}")
    branch = "main"
    yml = NBS / "nbdev.yml"
    if yml.exists() and (b := re.search(r"^\s*repo-branch:\s*(\S+)", yml.read_text(), re.MULTILINE)): branch = b.group(1)
    return proj["name"], m.group(1), branch

def badge_source(repo: str, branch: str, name: str) -> str:
    return f"[![Open In Colab]({BADGE_IMG})](https://colab.research.google.com/github/{repo}/blob/{branch}/nbs/{name})"

def install_source(dist: str, repo: str) -> str:
    """The hidden first code cell. In Colab it installs the kit with its `notebook` extra, constrained to every package the
    runtime already has at its version (pip then picks versions of what it adds that fit them, or stops with the conflict),
    so the install changes none of Colab's packages; everywhere it loads the kit's IPython extension (`yolc_nb.notebooks`),
    with which `#| gpu` and `#| slow` cells skip themselves, saying why, where they cannot or should not run."""
    spec = f"{dist}[notebook] @ git+https://github.com/{repo}"
    return ("#| hide\n"
            "# In Colab: install the kit, keeping each package Colab has at its version. Everywhere: `#| gpu` and `#| slow` cells skip themselves where they should not run\n"
            "import sys\n"
            'if "google.colab" in sys.modules:\n'
            '    get_ipython().system(f"{sys.executable} -m pip list --format=freeze > /tmp/colab-packages.txt")\n'
            f"    get_ipython().run_line_magic(\"pip\", 'install -q -c /tmp/colab-packages.txt \"{spec}\"')\n"
            'if "IPython" in sys.modules:   # a notebook (nbdev-test, docs, Jupyter, Colab), not a script\n'
            '    get_ipython().run_line_magic("load_ext", "yolc_nb.notebooks")')

def _lines(s: str) -> list[str]: return s.splitlines(keepends=True)

def _find(cells, cid, marker):
    return next((i for i, c in enumerate(cells) if c.get("id") == cid or marker in cell_source(c)), None)

def add_cells(nb: dict, name: str, dist: str, repo: str, branch: str) -> bool:
    "Insert or refresh the badge and install cells of `nb` (in place); True when something changed."
    cells = nb["cells"]
    if not any(c["cell_type"] == "markdown" and re.search(r"^#\s+\S", cell_source(c), re.MULTILINE) for c in cells):
        raise ValueError(f"{name}: no title cell (`# Title`) to put the badge after")
    want = [("markdown", BADGE_ID, badge_source(repo, branch, name), "colab.research.google.com/github/"),
            ("code", INSTALL_ID, install_source(dist, repo), '"google.colab" in sys.modules')]
    before = json.dumps(cells, sort_keys=True)
    found = [_find(cells, cid, marker) for _, cid, _, marker in want]
    kept_meta = {cid: cells[i].get("metadata", {}) for (_, cid, _, _), i in zip(want, found) if i is not None}   # e.g. the stored-output stamp
    for i in sorted((i for i in found if i is not None), reverse=True): cells.pop(i)   # re-inserted below, in order
    title = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                 and re.search(r"^#\s+\S", cell_source(c), re.MULTILINE))
    for k, (typ, cid, src, _) in enumerate(want):
        cell = {"cell_type": typ, "metadata": kept_meta.get(cid, {}), "source": _lines(src)}
        if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5): cell["id"] = cid   # ids exist from nbformat 4.5
        if typ == "code":   # outside Colab the install cell only loads an extension and prints nothing: its stored outputs are none,
            cell.update(execution_count=None, outputs=[])   # stamped with its source as tests/refresh_outputs.py stamps a cell it ran
            cell["metadata"] = {**cell["metadata"], OUTPUT_KEY: {"source_sha256": source_hash(cell)}}
        cells.insert(title + 1 + k, cell)
    return json.dumps(cells, sort_keys=True) != before

def write_like_nbdev_clean(nb: dict, path: Path):
    "Write `nb` as nbdev-clean does (fastcore's nb2str: sorted keys, indent 1, UTF-8, final newline)."
    path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", help="notebook names (default: every notebook but index.ipynb)")
    ap.add_argument("--nbs-dir", type=Path, default=NBS, help="the notebooks folder (e.g. a temporary copy)")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook needs the cells")
    args = ap.parse_args(argv)
    dist, repo, branch = project_info()
    names = [n if n.endswith(".ipynb") else f"{n}.ipynb" for n in args.notebooks]
    paths = [args.nbs_dir / n for n in names] if names else [p for p in notebooks(args.nbs_dir) if p.name != "index.ipynb"]
    stale = []
    for p in paths:
        nb = json.loads(p.read_text(encoding="utf-8"))
        if add_cells(nb, p.name, dist, repo, branch):
            stale.append(p.name)
            if not args.check: write_like_nbdev_clean(nb, p)
        print(f"{'needs Colab cells' if args.check else 'updated'}: {p.name}" if stale and stale[-1] == p.name
              else f"up to date: {p.name}")
    print(f"{len(paths) - len(stale)} up to date, {len(stale)} {'stale' if args.check else 'updated'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
