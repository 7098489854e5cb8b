"""Benchmark for `yolc_nb.fusion`: pure-torch NMS on 3,000 boxes against the naive greedy loop (and torchvision where it imports).

Run from the repo root:  python benchmarks/bench_fusion.py [--boxes 3000 --repeats 7 --threads 1]
Prints a markdown section (machine, date, command, medians and ratios measured side by side in one run).
The naive reference is the notebook's own `nms_naive` cell (nbs/08_fusion.ipynb), executed here, not a copy.
"""
import argparse, datetime, json, os, platform, statistics, sys, time
from pathlib import Path
import torch
from yolc_nb.fusion import nms, batched_nms, greedy_nmm, _nms_torch, HAS_TORCHVISION
from _common import cpu_model, median_time as _median_time, notebook_namespace


def aerial_scene(n, seed=0, hw=(1050, 1400), n_classes=10):
    "Boxes of aerial sizes (4..60 px) in clusters, with detector-like duplicates: n boxes, scores, labels."
    g = torch.Generator().manual_seed(seed)
    H, W = hw
    centres = torch.rand(n // 3, 2, generator=g) * torch.tensor([W, H])
    c = centres[torch.randint(0, len(centres), (n,), generator=g)] + torch.randn(n, 2, generator=g) * 12
    wh = 4 + torch.rand(n, 2, generator=g) * 56
    boxes = torch.cat([c - wh / 2, c + wh / 2], 1)
    return boxes, torch.rand(n, generator=g), torch.randint(0, n_classes, (n,), generator=g)


def median_time(fn, repeats):
    "Median wall time (s), after one warm-up call."
    return _median_time(fn, repeats, warmup=1, collect=False)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boxes", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--naive-repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    boxes, scores, labels = aerial_scene(a.boxes)
    nms_naive = notebook_namespace("08_fusion.ipynb", lambda src: "def nms_naive(" in src, {"torch": torch})["nms_naive"]

    keep = nms(boxes, scores, 0.5, backend="torch")
    ref = nms_naive(boxes, scores, 0.5)
    assert torch.equal(keep, ref), "pure-torch NMS differs from the naive loop"
    assert torch.equal(_nms_torch(boxes, scores, 0.5, sparse=False), ref), "dense fallback differs from the naive loop"
    rows = []
    t_naive = median_time(lambda: nms_naive(boxes, scores, 0.5), a.naive_repeats)
    t_torch = median_time(lambda: nms(boxes, scores, 0.5, backend="torch"), a.repeats)
    rows.append(("`nms`, naive greedy loop (notebook reference)", t_naive, a.naive_repeats, "1.0x"))
    rows.append(("`nms`, pure torch (intersecting pairs + edge solver)", t_torch, a.repeats, f"{t_naive / t_torch:.0f}x faster than naive"))
    t_dense = median_time(lambda: _nms_torch(boxes, scores, 0.5, sparse=False), a.repeats)
    rows.append(("`nms`, pure torch, dense blocked fallback", t_dense, a.repeats, f"{t_naive / t_dense:.0f}x faster than naive"))
    if HAS_TORCHVISION:
        t_tv = median_time(lambda: nms(boxes, scores, 0.5, backend="torchvision"), a.repeats)
        assert torch.equal(nms(boxes, scores, 0.5, backend="torchvision"), keep)
        rows.append(("`torchvision.ops.nms`", t_tv, a.repeats, f"pure torch takes {t_torch / t_tv:.1f}x torchvision's time"))
    t_b = median_time(lambda: batched_nms(boxes, scores, labels, 0.5, backend="torch"), a.repeats)
    rows.append(("`batched_nms`, pure torch, 10 classes", t_b, a.repeats, ""))
    t_g = median_time(lambda: greedy_nmm(boxes, scores, labels, "IOS", 0.5), a.repeats)
    rows.append(("`greedy_nmm` (IOS 0.5), 10 classes", t_g, a.repeats, ""))

    cmd = "python benchmarks/bench_fusion.py" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:] if argv is None else argv))
    out = ["", "## Fusion: pure-torch NMS (`benchmarks/bench_fusion.py`)", "",
           f"- machine: {cpu_model()}, {os.cpu_count()} cores visible, {a.threads} torch thread(s); torch {torch.__version__}",
           f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
           f"- command: `{cmd}`",
           f"- scene: {a.boxes} clustered boxes of 4-60 px in a 1400x1050 image, uniform scores, IoU threshold 0.5; "
           f"{len(keep)} kept; the pure-torch indices equal the naive loop's",
           "- torchvision: " + ("imported; indices identical to the pure-torch path" if HAS_TORCHVISION else
                                "not importable on this machine, so no ratio to torchvision is reported"),
           "", "| what | median time (ms) | repeats | ratio |", "|---|---|---|---|"]
    out += [f"| {w} | {t * 1e3:.1f} | {r} | {q} |" for w, t, r, q in rows]
    print("\n".join(out))


if __name__ == "__main__": main()
