"""Helpers shared by the benchmark scripts: the machine's CPU model, median wall time of a call, and code cells of a notebook."""
import gc, json, platform, statistics, time
from pathlib import Path

NBS = Path(__file__).resolve().parents[1] / "nbs"


def cpu_model() -> str:
    "The CPU's model name from /proc/cpuinfo (or what the platform says)."
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"): return line.split(":", 1)[1].strip()
    except OSError: pass
    return platform.processor() or "unknown"


def time_calls(fn, repeats: int, warmup: int = 0, collect: bool = True) -> list:
    "Wall times (s) of `repeats` calls of `fn`, after `warmup` untimed calls; garbage collected before each."
    for _ in range(warmup): fn()
    ts = []
    for _ in range(repeats):
        if collect: gc.collect()
        t0 = time.perf_counter(); out = fn(); ts.append(time.perf_counter() - t0)
        del out
    return ts


def median_time(fn, repeats: int, warmup: int = 0, collect: bool = True) -> float:
    "Median wall time (s) of `repeats` calls of `fn`."
    return statistics.median(time_calls(fn, repeats, warmup, collect))


def notebook_namespace(notebook: str, select, ns=None) -> dict:
    "Execute, in order, the code cells of `nbs/notebook` whose source `select(source)` accepts, in the namespace `ns`; return it."
    ns = {} if ns is None else ns
    hits = 0
    for c in json.loads((NBS / notebook).read_text(encoding="utf-8"))["cells"]:
        src = "".join(c["source"])
        if c["cell_type"] == "code" and select(src):
            exec(compile(src, f"{notebook} cell {c.get('id')}", "exec"), ns); hits += 1
    if not hits: raise LookupError(f"no cell of {notebook} matched")
    return ns


def timed_fit(run, cfg):
    """Run `run(cfg)` (`yolc_nb.train.train` or `distill`); return its result and the wall time (s) of each training step but the first.

    A step lasts from the start of one training forward to the start of the next: forward, backward, optimizer step, logging
    (which reads the loss, so a GPU has finished the step) and the wait for the next batch from the loader."""
    import yolc_nb.train as T
    starts, orig = [], T._TrainForward.forward
    def forward(self, *a, **k):
        starts.append(time.perf_counter()); return orig(self, *a, **k)
    T._TrainForward.forward = forward
    try: r = run(cfg)
    finally: T._TrainForward.forward = orig
    return r, [b - a for a, b in zip(starts[1:], starts[2:])]
