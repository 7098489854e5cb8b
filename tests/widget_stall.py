#!/usr/bin/env python
"""Reproduce the widget-cell stall of nbclient (see `_nbutil.quiet_client`): run a notebook of 10 widget
cells `--runs` times with a short cell timeout, with nbclient's client (`--client nbclient`) or the kit's
(`--client quiet`), and count the cells that took the whole timeout (they still pass).

    python tests/widget_stall.py --client nbclient --runs 10 --timeout 20
"""
import argparse, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _nbutil import quiet_client  # noqa: E402

CELL = '''from ipywidgets import interactive, IntSlider
from matplotlib.figure import Figure
def f(k):
    fig = Figure(figsize=(2, 2)); fig.subplots().plot(range(k + 2)); return fig
interactive(f, {"auto_display": True}, k=IntSlider(1, 0, 5))'''

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--client", choices=("nbclient", "quiet"), default="nbclient")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--timeout", type=int, default=20, help="cell timeout, s (a stalled cell takes this long)")
    a = ap.parse_args(argv)
    import nbformat
    from nbclient import NotebookClient
    Quiet = quiet_client()

    class Timed(NotebookClient):       # nbclient's own client, timing each cell like the quiet one
        cell_seconds = None
        async def async_execute_cell(self, cell, *args, **kw):
            t0 = time.time()
            try: return await super().async_execute_cell(cell, *args, **kw)
            finally: self.cell_seconds[cell["id"]] = time.time() - t0
    stalled, worst, n_cells = 0, 0., 0
    for i in range(a.runs):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("%matplotlib inline")]
                                      + [nbformat.v4.new_code_cell(CELL) for _ in range(10)])
        c = (Quiet if a.client == "quiet" else Timed)(nb, kernel_name="python3", timeout=a.timeout)
        c.cell_seconds = {}
        c.execute()
        t = list(c.cell_seconds.values())[1:]
        n_cells += len(t); worst = max(worst, max(t)); stalled += sum(x > a.timeout / 2 for x in t)
        imgs = sum(any("image/png" in o.get("data", {}) for o in cc.outputs) for cc in c.nb.cells)
        print(f"run {i}: slowest cell {max(t):.2f} s, stalled {sum(x > a.timeout / 2 for x in t)}, cells with an image output {imgs}", flush=True)
    print(f"{a.client}: {stalled} of {n_cells} widget cells stalled (over {a.timeout / 2:g} s), worst {worst:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
