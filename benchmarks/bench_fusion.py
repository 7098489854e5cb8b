"""Benchmark for `yolc_nb.fusion`: the kit's pure-torch `nms` against `torchvision.ops.nms` at 5,000, 10,000 and 20,000 boxes.

Run from the repo root:  OMP_NUM_THREADS=1 python benchmarks/bench_fusion.py [--sizes 5000 10000 20000 --repeats 5 --threads 1]
Prints a markdown section for BENCHMARKS.md: machine, date, threads, command; per scene and size the median times of
both implementations (timed alternately, one call of each in turn, after one warm-up each), their ratio, the log-log slope
of time against the number of boxes from the smallest to the largest size, and the memory bound of the sparse path
(candidate pairs per block: the budget, and the largest block of each run, from an instrumented run that is not timed).
Every run checks that the pure-torch indices equal torchvision's. The scenes (`aerial_scene`, `topk_scene`) and the
naive loop (`nms_naive`, timed at a small size only) are the notebook's own cells (nbs/08_fusion.ipynb), executed here.
"""
import argparse, datetime, math, os, statistics, sys, time
import torch
import torchvision
import yolc_nb.fusion as F
from yolc_nb.fusion import nms, batched_nms, greedy_nmm, SWEEP_BUDGET
from _common import cpu_model, notebook_namespace

NB = notebook_namespace("08_fusion.ipynb", lambda src: src.startswith(("def nms_naive(", "def aerial_scene(")), {"torch": torch})
SCENES = {  # name: boxes, scores, labels for n boxes
    "aerial, 4000x3000": lambda n: NB["aerial_scene"](n, hw=(3000, 4000)),
    "aerial, 1400x1050 (dense)": lambda n: NB["aerial_scene"](n, hw=(1050, 1400)),
    "top-k, 40 per object, 1920x1080": lambda n: NB["topk_scene"](n),
}


def alternate(fns, repeats):
    "Median wall time (s) of each function, calling them in turn `repeats` times after one warm-up call each."
    for f in fns.values(): f()
    ts = {k: [] for k in fns}
    for _ in range(repeats):
        for k, f in fns.items():
            t0 = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in ts.items()}


def blocks(boxes, scores, t=0.5):
    "Number of blocks of the sparse path and the most candidate pairs listed in one (an instrumented, untimed run)."
    sizes, cur = [], [0]
    pairs, resolve = F._BoxRows.pairs, F._resolve_edges
    def counting_pairs(self, *a):
        out = pairs(self, *a); cur[0] += len(out[0]); return out
    def closing_resolve(*a, **k):
        sizes.append(cur[0]); cur[0] = 0; return resolve(*a, **k)
    F._BoxRows.pairs, F._resolve_edges = counting_pairs, closing_resolve
    try: F._nms_torch(boxes, scores, t)
    finally: F._BoxRows.pairs, F._resolve_edges = pairs, resolve
    return len(sizes), max(sizes, default=0)


def slope(ns, ts): return math.log(ts[-1] / ts[0]) / math.log(ns[-1] / ns[0])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--naive-boxes", type=int, default=1000)
    ap.add_argument("--naive-repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    t, ns = a.threshold, sorted(a.sizes)
    rows, summary = [], []
    for name, make in SCENES.items():
        times = []
        for n in ns:
            b, s, _ = make(n)
            keep = nms(b, s, t, backend="torch")
            assert torch.equal(keep, torchvision.ops.nms(b, s, t)), f"{name}, {n} boxes: indices differ from torchvision"
            m = alternate({"tv": lambda: torchvision.ops.nms(b, s, t), "torch": lambda: nms(b, s, t, backend="torch")}, a.repeats)
            nb, big = blocks(b, s, t)
            rows.append(f"| {name} | {n:,} | {len(keep):,} | {m['tv'] * 1e3:.0f} | {m['torch'] * 1e3:.0f} | {m['torch'] / m['tv']:.2f} | {nb} | {big:,} |")
            times.append((m["tv"], m["torch"]))
            print(rows[-1], file=sys.stderr, flush=True)
        summary.append(f"| {name} | {times[-1][1] / times[-1][0]:.2f} | {slope(ns, [x[0] for x in times]):.2f} | {slope(ns, [x[1] for x in times]):.2f} |")

    # the other entry points at the largest size, and the naive loop at a small one
    b, s, l = SCENES["aerial, 4000x3000"](ns[-1])
    assert torch.equal(batched_nms(b, s, l, t, backend="torch"), batched_nms(b, s, l, t, backend="torchvision"))
    m = alternate({"tv": lambda: batched_nms(b, s, l, t, backend="torchvision"), "torch": lambda: batched_nms(b, s, l, t, backend="torch"),
                   "nmm": lambda: greedy_nmm(b, s, l, "IOS", t)}, a.repeats)
    bs, ss, _ = SCENES["aerial, 4000x3000"](a.naive_boxes)
    assert torch.equal(NB["nms_naive"](bs, ss, t), nms(bs, ss, t, backend="torch"))
    mn = alternate({"naive": lambda: NB["nms_naive"](bs, ss, t), "torch": lambda: nms(bs, ss, t, backend="torch"),
                    "tv": lambda: torchvision.ops.nms(bs, ss, t)}, a.naive_repeats)

    cmd = "OMP_NUM_THREADS=" + os.environ.get("OMP_NUM_THREADS", "(unset)") + " python benchmarks/bench_fusion.py" + \
          "".join(" " + x for x in (sys.argv[1:] if argv is None else argv))
    out = ["", "## Fusion: pure-torch NMS at scale (`benchmarks/bench_fusion.py`)", "",
           f"- machine: {cpu_model()}, {os.cpu_count()} cores visible (shared with other jobs), {torch.get_num_threads()} torch thread(s); "
           f"torch {torch.__version__}, torchvision {torchvision.__version__}",
           f"- date: {datetime.datetime.now(datetime.timezone.utc):%a %b %d %H:%M:%S UTC %Y}",
           f"- command: `{cmd}`",
           f"- what: `nms(..., backend=\"torch\")` (the kit's pure-torch path) against `torchvision.ops.nms` on the CPU, IoU threshold {t}; "
           f"the two timed alternately, one call each in turn, median of {a.repeats} after one warm-up each; indices identical to torchvision's in every run",
           "- scenes (the notebook's `aerial_scene` and `topk_scene`): boxes of 4-60 px, uniform scores; *aerial*: clusters of about 3 boxes "
           "12 px apart in the image size given; *top-k*: a detector's top-n output, n/40 objects each reported about 40 times (jitter 15% of the size)",
           f"- memory: the sparse path lists at most `SWEEP_BUDGET` = {SWEEP_BUDGET:,} candidate pairs per block (or the candidates of one box, "
           "where one box alone has more); *largest block* is the most listed in one block of that run",
           "", "| scene | boxes | kept | torchvision (ms) | pure torch (ms) | pure torch / torchvision | blocks | largest block (pairs) |",
           "|---|---|---|---|---|---|---|---|", *rows,
           "", f"Growth from {ns[0]:,} to {ns[-1]:,} boxes (log-log slope of time against the number of boxes; 2 is quadratic):", "",
           f"| scene | pure torch / torchvision at {ns[-1]:,} | slope, torchvision | slope, pure torch |", "|---|---|---|---|", *summary,
           "", f"Other entry points on the aerial 4000x3000 scene at {ns[-1]:,} boxes, 10 classes (median of {a.repeats}, alternated):", "",
           "| what | median (ms) |", "|---|---|",
           f"| `batched_nms`, torchvision | {m['tv'] * 1e3:.0f} |",
           f"| `batched_nms`, pure torch (identical indices) | {m['torch'] * 1e3:.0f} |",
           f"| `greedy_nmm` (IOS {t}) | {m['nmm'] * 1e3:.0f} |",
           "", f"The naive greedy loop (the notebook's reference, Python) at {a.naive_boxes:,} boxes of the aerial 4000x3000 scene "
           f"(median of {a.naive_repeats}, alternated; identical indices):", "",
           "| what | median (ms) |", "|---|---|",
           f"| `nms_naive` | {mn['naive'] * 1e3:.0f} |",
           f"| `nms`, pure torch | {mn['torch'] * 1e3:.1f} |",
           f"| `torchvision.ops.nms` | {mn['tv'] * 1e3:.1f} |"]
    print("\n".join(out))


if __name__ == "__main__": main()
