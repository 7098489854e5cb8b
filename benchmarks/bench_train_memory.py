"""Peak memory of training over a small and a ten times larger VisDrone-layout folder: does memory grow with the data set?

Run from the repository root:  python benchmarks/bench_train_memory.py [--small 50 --large 500 --size 540 960 --threads 1]
Writes synthetic VisDrone-layout folders (JPEG + .txt) to a temporary folder, trains the `tiny` preset for one epoch over each
with `yolc-nb train` in a child process (no loader workers: every byte the data pipeline holds is in that process; no validation
set: the peak is training's), and reads that child's own peak resident memory (`ru_maxrss` of the child, printed by the child).
Prints a markdown section for BENCHMARKS.md.
"""
import argparse, datetime, os, platform, subprocess, sys, tempfile, time
import torch
from yolc_nb.data import write_synthetic
from _common import cpu_model


CHILD = """import resource, runpy, sys
sys.argv = ["yolc-nb", *sys.argv[1:]]
try: runpy.run_module("yolc_nb.cli", run_name="__main__")
finally: print("peak_rss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""

def peak_rss_mb(args, env) -> tuple:
    "Peak resident memory (MB) of a child process running `yolc-nb ARGS` (its own, read by itself), its wall time and its summary line."
    t0 = time.time()
    p = subprocess.run([sys.executable, "-c", CHILD, *args], env=env, capture_output=True, text=True)
    if p.returncode: raise RuntimeError(f"yolc-nb {' '.join(args)} failed:\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    kb = int([l for l in p.stderr.splitlines() if l.startswith("peak_rss_kb ")][-1].split()[1])
    return kb / 1024, time.time() - t0, [l for l in p.stdout.splitlines() if l.startswith("train: step")][-1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=50); ap.add_argument("--large", type=int, default=500)
    ap.add_argument("--size", type=int, nargs=2, default=[540, 960], metavar=("H", "W"))
    ap.add_argument("--train-size", type=int, nargs=2, default=[256, 384], metavar=("H", "W"))
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    load = os.getloadavg()[0]
    env = {**os.environ, "OMP_NUM_THREADS": str(a.threads), "MKL_NUM_THREADS": str(a.threads)}
    rows = []
    with tempfile.TemporaryDirectory() as t:
        for n in (a.small, a.large):
            write_synthetic(f"{t}/vd{n}", n_train=n, n_val=2, size=a.size, progress=False, format="visdrone")
            cmd = ["train", "--data", f"visdrone:{t}/vd{n}/train",
                   "--preset", "tiny", "--epochs", "1", "--batch-size", "4", "--train-size", *map(str, a.train_size), "--crop-aug",
                   "--workers", "0", "--no-progress", "--out", f"{t}/run{n}", "--device", "cpu"]
            mb, s, line = peak_rss_mb(cmd, env)
            rows.append((n, mb, s, line))
    small, large = rows[0][1], rows[1][1]
    cmd = " ".join(["python benchmarks/bench_train_memory.py"] + (sys.argv[1:] if argv is None else list(argv)))
    print("## train memory (`12_train`): does it grow with the data set?\n")
    print(f"- Machine: {cpu_model()}, {os.cpu_count()} logical cores, {a.threads} torch thread(s) in the child; torch {torch.__version__}, Python {platform.python_version()}")
    print(f"- Load average (1 min) at start: {load:.2f}")
    print(f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"- Command: `{cmd}` (from the repository root)")
    print(f"- What: `yolc-nb train --preset tiny --epochs 1 --batch-size 4 --train-size {a.train_size[0]} {a.train_size[1]} --crop-aug --workers 0` over a synthetic "
          f"VisDrone-layout folder of {a.size[0]}x{a.size[1]} JPEGs, no validation set, in a child process; that process's own peak resident memory (`ru_maxrss`).\n")
    print("| training images | steps | peak RSS | wall time |\n|---:|---:|---:|---:|")
    for n, mb, s, line in rows: print(f"| {n} | {line.split(',')[0].replace('train: step ', '')} | {mb:.0f} MB | {s:.0f} s |")
    print(f"\nDifference {large - small:+.0f} MB for {a.large / a.small:.0f}x the images (goal: within 300 MB): "
          f"{'met' if large - small <= 300 else 'NOT met'}. Decoded pixels are never cached.")


if __name__ == "__main__": main()
