"""Training speed at each torch thread count, on an idle machine and on one whose cores other jobs keep busy.

Run from the repository root:  python benchmarks/bench_threads.py [--steps 12 --repeats 3 --busy N]
For every thread count from 1 to the usable cores, trains the demo's student (128x128 synthetic scenes, batch 8) for
`--steps` steps and measures images/s over the steps after the first (`_common.timed_fit`), first with nothing else
started by this script, then while `--busy` processes (default: one per usable core) spin on the CPU, as other jobs
on a shared machine do. Settings alternate within each repeat; medians over repeats. It reports each setting's speed as
a fraction of the best setting in the same condition, and whether `yolc_nb.core.default_threads()` keeps at least 0.5x
of the best in both. Prints a markdown section for BENCHMARKS.md.
"""
import argparse, datetime, multiprocessing as mp, os, platform, statistics, sys, tempfile
import torch
from yolc_nb.core import default_threads, usable_cores
from yolc_nb.train import TrainConfig, train
from yolc_nb.demo import DEMO_SETTINGS, demo_model_config
from _common import cpu_model, timed_fit


def spin():
    "Keep one core busy until terminated."
    while True: pass


def speed(threads, steps, tmp, data):
    "Images/s of a short training run at `threads` torch threads."
    torch.set_num_threads(threads)
    s = DEMO_SETTINGS["full"]
    cfg = TrainConfig(data=dict(train=data, size=s["size"], num_classes=3), model=demo_model_config(s["student"], s["heatmap_upsample_num"]),
                      batch_size=s["batch_size"], max_steps=steps, warmup_steps=1, out_dir=tmp, progress=False, eval_every=0,
                      eval_crop=False, overwrite=True, device="cpu")
    cfg.data.val = None
    _, dts = timed_fit(train, cfg)
    return s["batch_size"] * len(dts) / sum(dts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=12); ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--busy", type=int, default=None, help="spinning processes in the loaded condition (default: one per usable core)")
    a = ap.parse_args(argv)
    cores = usable_cores()
    busy = cores if a.busy is None else a.busy
    counts = list(range(1, cores + 1))
    load0 = os.getloadavg()[0]
    res = {"idle": {n: [] for n in counts}, "loaded": {n: [] for n in counts}}
    from yolc_nb.data import write_synthetic
    with tempfile.TemporaryDirectory() as t:
        s = DEMO_SETTINGS["full"]
        write_synthetic(f"{t}/data", 32, 2, s["size"], progress=False)
        for _ in range(a.repeats):
            for cond in ("idle", "loaded"):
                procs = [mp.Process(target=spin, daemon=True) for _ in range(busy if cond == "loaded" else 0)]
                for p in procs: p.start()
                try:
                    for n in counts: res[cond][n].append(speed(n, a.steps, f"{t}/run", f"{t}/data"))
                finally:
                    for p in procs: p.terminate(); p.join()
    med = {c: {n: statistics.median(v) for n, v in r.items()} for c, r in res.items()}
    d = default_threads()
    cmd = "python benchmarks/bench_threads.py" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:] if argv is None else argv))
    print("## Threads on a shared CPU (`benchmarks/bench_threads.py`)\n")
    print(f"- Machine: {cpu_model()}, {cores} usable cores; load average (1 min) {load0:.2f} at start (other jobs than this script's); torch {torch.__version__}, Python {platform.python_version()}")
    print(f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"- Command: `{cmd}` (from the repository root)")
    print(f"- What: training the demo's student (128x128, batch 8), {a.steps} steps per run, images/s over the steps after the first; "
          f"median of {a.repeats} repeats, settings alternating; \"loaded\": {busy} processes spinning on the CPU meanwhile\n")
    print("| torch threads | idle: images/s | of the best | loaded: images/s | of the best |\n|---:|---:|---:|---:|---:|")
    for n in counts:
        print(f"| {n}{' (default)' if n == d else ''} | {med['idle'][n]:.1f} | {med['idle'][n] / max(med['idle'].values()):.2f}x "
              f"| {med['loaded'][n]:.1f} | {med['loaded'][n] / max(med['loaded'].values()):.2f}x |")
    worst = min(med[c][d] / max(med[c].values()) for c in med)
    print(f"\nGoal: the default ({d} thread{'s' if d > 1 else ''}) keeps at least 0.5x of the best setting, idle and loaded: "
          f"{'met' if worst >= 0.5 else 'NOT met'} (worst {worst:.2f}x).\n")


if __name__ == "__main__": main()
