"Helpers shared by the scripts in `tests/`: the repo's notebooks, nbdev's cell directives and the cells nbdev-test skips."
from __future__ import annotations
import json, re, socket, tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NBS = REPO / "nbs"
_directive_re = re.compile(r"^\s*#\s*\|\s*([\w-]+)\s*:?\s*(.*?)\s*$")

def nbdev_config() -> dict:
    "The `[tool.nbdev]` table of the repo's pyproject.toml."
    with open(REPO / "pyproject.toml", "rb") as f: return tomllib.load(f).get("tool", {}).get("nbdev", {})

def tst_flags() -> set[str]:
    "Flags whose cells nbdev-test skips by default (`tst_flags`, e.g. notest slow gpu)."
    return set(str(nbdev_config().get("tst_flags", "notest")).split())

def cell_source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src

def directives(cell) -> dict[str, str]:
    "nbdev directives (`#| key: value` lines) at the top of a code cell, as {key: value}."
    out = {}
    for line in cell_source(cell).splitlines():
        if not line.strip(): continue
        m = _directive_re.match(line)
        if not m: break
        out[m.group(1)] = m.group(2)
    return out

def skipped_by_nbdev_test(cell, flags=None) -> bool:
    "True for a code cell nbdev-test leaves out: a flag of `tst_flags` (`#| slow`, `#| gpu`, ...) or `#| eval: false`."
    if cell.get("cell_type") != "code": return False
    d = directives(cell)
    if d.get("eval", "").lower() in ("false", "0", "no"): return True
    return bool((tst_flags() if flags is None else set(flags)) & d.keys())

def strip_skipped(nb: dict, flags=None) -> int:
    "Remove from `nb` (in place) the code cells nbdev-test skips; returns how many were removed."
    flags = tst_flags() if flags is None else flags
    keep = [c for c in nb["cells"] if not skipped_by_nbdev_test(c, flags)]
    n = len(nb["cells"]) - len(keep)
    nb["cells"] = keep
    return n

def load_nb(path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))

def save_nb(nb: dict, path):
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

def notebooks(nbs_dir=NBS) -> list[Path]:
    "The notebooks of `nbs_dir`, sorted, without checkpoints or files starting with `_` or `.`."
    return sorted(p for p in Path(nbs_dir).glob("*.ipynb") if not p.name.startswith(("_", ".")))

def has_widget(path) -> bool:
    "True when a code cell that nbdev-test runs calls `interactive(` (an ipywidgets widget)."
    nb = load_nb(path)
    return any(c["cell_type"] == "code" and not skipped_by_nbdev_test(c) and "interactive(" in cell_source(c)
               for c in nb["cells"])

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
