"""Full-resolution inference: `simple_test` of one 1088x1920 image, this checkout against another commit's, side by side.

Run from the repository root, with a checkout of the commit to compare against (e.g. 70d4378, before the full-resolution speed-ups):
    git worktree add /tmp/yolc_base 70d4378
    python benchmarks/bench_detector.py --baseline /tmp/yolc_base [--preset student --repeats 3]
Each measurement runs in a fresh process that imports the kit from one tree (PYTHONPATH), builds the preset with seed 0
(10 classes, random weights; the heatmap's last layer drawn with std 1, because under the published std 0.001 an
untrained heatmap has thousands of tied peaks and the top k is an arbitrary pick among them), makes one synthetic scene, runs `simple_test` once to warm up and then times the global
pass alone (`crop=False`) and the whole YOLC inference (`crop=True`, default LSM settings). The two trees alternate within
each repeat; medians over repeats. The detections of both trees are compared (same boxes, scores and labels up to float
rounding). One torch thread. Prints a markdown section for BENCHMARKS.md.
"""
import argparse, datetime, json, os, platform, statistics, subprocess, sys, tempfile, textwrap
from pathlib import Path
from _common import cpu_model

ROOT = Path(__file__).resolve().parents[1]

WORKER = textwrap.dedent("""
    import json, sys, time, torch
    torch.set_num_threads(1)
    from yolc_nb.detector import YOLCDetector, detector_config
    preset, H, W, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    torch.manual_seed(0)
    m = YOLCDetector(10, **detector_config(preset)).eval()
    with torch.no_grad(): torch.nn.init.normal_(m.head.heatmap_head[-1].weight, std=1.0)   # spread scores: few ties in the top k
    from yolc_nb.data import SyntheticAerial
    img = SyntheticAerial(1, size=(H, W), num_classes=5, seed=0)[0]["image"][None]
    m.simple_test(img, crop=True)                                   # warm-up
    res = {}
    for crop in (False, True):
        t = time.perf_counter(); d, c = m.simple_test(img, crop=crop); res[f"crop={crop}"] = time.perf_counter() - t
    res["dets"] = dict(boxes=d[0].boxes.tolist(), scores=d[0].scores.tolist(), labels=d[0].labels.tolist(), crops=c[0].tolist())
    json.dump(res, open(out, "w"))
""")


def measure(tree: Path, preset: str, hw, tmp: str) -> dict:
    out = Path(tmp) / "r.json"
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-c", WORKER, preset, str(hw[0]), str(hw[1]), str(out)], env=env, check=True, cwd=tmp)
    return json.loads(out.read_text())


def unmatched_detections(a: dict, b: dict, box_tol=1e-3, score_tol=1e-5) -> int:
    "Detections of `a` with no partner in `b` (same label, score within `score_tol`, box within `box_tol`); order may differ among near-ties."
    free = list(range(len(b["scores"])))
    miss = 0
    for s, l, bx in zip(a["scores"], a["labels"], a["boxes"]):
        j = next((j for j in free if b["labels"][j] == l and abs(b["scores"][j] - s) <= score_tol
                  and max(abs(p - q) for p, q in zip(b["boxes"][j], bx)) <= box_tol), None)
        if j is None: miss += 1
        else: free.remove(j)
    return miss + abs(len(a["scores"]) - len(b["scores"]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", required=True, help="a checkout of the commit to compare against (its repository root)")
    ap.add_argument("--preset", default="student"); ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--size", type=int, nargs=2, default=(1088, 1920), metavar=("H", "W"))
    a = ap.parse_args(argv)
    base = Path(a.baseline).resolve()
    if not (base / "yolc_nb" / "detector.py").exists(): sys.exit(f"--baseline {base} is not a yolc_nb checkout (no yolc_nb/detector.py)")
    rev = lambda p: subprocess.run(["git", "-C", str(p), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip() or "?"
    trees = {"baseline": base, "this checkout": ROOT}
    load0 = os.getloadavg()[0]
    runs = {k: [] for k in trees}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(a.repeats):
            for k, t in trees.items(): runs[k].append(measure(t, a.preset, a.size, tmp))
    med = {k: {c: statistics.median(r[c] for r in v) for c in ("crop=False", "crop=True")} for k, v in runs.items()}
    import torch
    d0, d1 = runs["baseline"][0]["dets"], runs["this checkout"][0]["dets"]
    unmatched = unmatched_detections(d0, d1)
    same = d0["crops"] == d1["crops"] and unmatched == 0
    H, W = a.size
    print(f"## Full-resolution inference (`benchmarks/bench_detector.py`)\n")
    print(f"- Machine: {cpu_model()}, 1 torch thread; load average (1 min) {load0:.2f} at start; torch {torch.__version__}, Python {platform.python_version()}")
    print(f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"- Command: `python benchmarks/bench_detector.py --baseline <checkout of {rev(base)}>" + (f" --preset {a.preset}" if a.preset != "student" else "")
          + (f" --repeats {a.repeats}" if a.repeats != 3 else "") + "` (this checkout: " + rev(ROOT) + ")")
    print(f"- What: `simple_test` of one {W}x{H} image, `{a.preset}` preset, 10 classes, random weights (seed 0; heatmap's last layer std 1), one `SyntheticAerial` scene (seed 0), default LSM settings "
          f"({len(d1['crops'])} crop(s): {d1['crops']}); medians of {a.repeats} runs, each in a fresh process after one warm-up call, trees alternating\n")
    print("| | baseline | this checkout | ratio |\n|---|---:|---:|---:|")
    for c, name in (("crop=False", "global pass (`crop=False`)"), ("crop=True", "global pass + crops + fusion (`crop=True`)")):
        print(f"| {name} | {med['baseline'][c]:.2f} s | {med['this checkout'][c]:.2f} s | {med['this checkout'][c] / med['baseline'][c]:.2f}x |")
    r = med["this checkout"]["crop=True"] / med["baseline"]["crop=True"]
    print(f"\nDetections of the two trees equal (the same crops; each detection has a partner of the same class with its box within 1e-3 px "
          f"and its score within 1e-5): {'yes' if same else f'NO ({unmatched} without a partner)'}. "
          f"Goal: `crop=True` at most 0.6x of the baseline: {'met' if r <= 0.6 else 'NOT met'} ({r:.2f}x).\n")


if __name__ == "__main__": main()
