"Helpers shared by the scripts in `tests/`: the repo's notebooks, nbdev's cell directives and the cells nbdev-test skips."
from __future__ import annotations
import json, re, socket, time, tomllib
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

WIDGET_CALL = re.compile(r"\b(?:interactive|explorer)\(")   # an ipywidgets.interactive, or the kit's `yolc_nb.notebooks.explorer`

def has_widget(path) -> bool:
    "True when a code cell that nbdev-test runs builds a widget: calls `interactive(` or `explorer(` (`yolc_nb.notebooks`)."
    nb = load_nb(path)
    return any(c["cell_type"] == "code" and not skipped_by_nbdev_test(c) and WIDGET_CALL.search(cell_source(c))
               for c in nb["cells"])

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

# stored outputs (tests/refresh_outputs.py writes them, tests/check_outputs.py checks them)
OUTPUT_KEY = "yolc_nb"          # cell metadata: {"source_sha256": <first 16 hex digits of the source's sha256>}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

def source_hash(cell) -> str:
    "The first 16 hex digits of the sha256 of a cell's source: which source its stored outputs came from."
    import hashlib
    return hashlib.sha256(cell_source(cell).encode("utf-8")).hexdigest()[:16]

def stored_hash(cell) -> str | None:
    return (cell.get("metadata", {}).get(OUTPUT_KEY) or {}).get("source_sha256")

SLOW_CELL_S = 120        # a cell nbdev-test runs must finish within this; longer work belongs in a `#| slow` cell

def quiet_client():
    """nbclient's NotebookClient without its Output-widget mimic, timing each cell (`cell_seconds`, by cell id).

The mimic sends a comm message on the shell channel for every output it routes into an Output widget (as
`interactive(f, {"auto_display": True})` makes), from the task that reads IOPub, while the other task waits
for the cell's `execute_reply` on that same zmq socket; when the send comes between the reply's arrival and
the waiting poll's wake-up, the poll is not woken (zmq signals readiness edge-triggered) and the reply is read
only when the poll times out: the cell "passes" after the whole cell timeout. Without the mimic nothing is
sent on the shell channel during a cell, and what the widget's function displays lands in the cell's outputs."""
    from nbclient import NotebookClient

    class Client(NotebookClient):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.comm_open_handlers = {}
            self.cell_seconds = {}

        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            t0 = time.time()
            try: return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
            finally: self.cell_seconds[cell.get("id", str(cell_index))] = time.time() - t0
    return Client

