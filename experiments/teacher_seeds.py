"""The demo's teacher over several training seeds, and a paired comparison of two such runs.

Train: `python experiments/teacher_seeds.py --out runs/teachers --seeds 0 1 2` trains the teacher of `yolc-nb demo` (its data,
settings and 300 steps; data seed 0, one training seed per run) with whichever `yolc_nb` is imported, and writes
`OUT/teachers.json` with AP50 of the global pass and with crops per seed.

Compare two versions of the kit on one machine (results differ between CPUs, see the README), e.g. before and after a change:

    git worktree add ../before e8f736b
    PYTHONPATH=../before python experiments/teacher_seeds.py --out runs/teachers_before --seeds 0 1 2
    python experiments/teacher_seeds.py --out runs/teachers_after --seeds 0 1 2
    python experiments/teacher_seeds.py --compare runs/teachers_before/teachers.json runs/teachers_after/teachers.json

`--compare A B` prints B - A per seed, its mean, and the 95% t interval over the paired seeds.
"""
import argparse, json, math, os, sys, tempfile, time
from pathlib import Path

T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
        12: 2.179, 15: 2.131, 20: 2.086, 30: 2.042}   # two-sided 95% quantiles of Student's t by degrees of freedom


def t975(df: int) -> float:
    "The 97.5% quantile of Student's t with `df` degrees of freedom (table above; the next smaller tabulated df beyond it)."
    return T975[max(k for k in T975 if k <= df)] if df < 30 else 1.96


def write_json(path: Path, obj):
    "Write JSON atomically: a temporary file beside it, then a rename."
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as f: json.dump(obj, f, indent=1)
    os.replace(tmp, path)


def train_seeds(out: Path, seeds: list) -> dict:
    import torch
    from yolc_nb import demo as D
    from yolc_nb.data import write_synthetic
    from yolc_nb.train import train
    torch.set_num_threads(1)
    cfg_fn = getattr(D, "demo_train_config", None) or getattr(D, "_demo_cfg")   # the name before 2026-12-06
    s = D.DEMO_SETTINGS["full"]
    if not (out / "data").exists():
        write_synthetic(out / "data", s["n_train"], s["n_val"], s["size"], seed=0, progress=False, object_scale=s["object_scale"])
    path = out / "teachers.json"
    res = json.loads(path.read_text()) if path.exists() else {}
    for seed in seeds:
        t0 = time.time()
        m = train(cfg_fn(s, out, s["teacher"], s["teacher_steps"], f"teacher_s{seed}", seed, False))["metrics"]
        res[str(seed)] = {"global": m["global"]["AP50"], "crops": m["crops"]["AP50"]}
        write_json(path, res)   # after every seed: a stopped run keeps what it finished
        print(f"seed {seed}: AP50 {res[str(seed)]['global']:.3f}, +crops {res[str(seed)]['crops']:.3f} ({time.time() - t0:.0f} s)", flush=True)
    return res


def compare(a_path: Path, b_path: Path) -> str:
    a, b = (json.loads(Path(p).read_text()) for p in (a_path, b_path))
    seeds = sorted(set(a) & set(b), key=int)
    if len(seeds) < 2: raise SystemExit(f"--compare needs at least 2 seeds in both files; shared seeds: {seeds}")
    lines = [f"{len(seeds)} paired seeds ({', '.join(seeds)}): {b_path} minus {a_path}"]
    for k in ("global", "crops"):
        d = [b[s][k] - a[s][k] for s in seeds]
        n, m = len(d), sum(d) / len(d)
        sd = math.sqrt(sum((x - m) ** 2 for x in d) / (n - 1))
        h = t975(n - 1) * sd / math.sqrt(n)
        lines.append(f"AP50 {k}: {m:+.3f} (per seed {', '.join(f'{x:+.3f}' for x in d)}; SD {sd:.3f}; 95% [{m - h:+.3f}, {m + h:+.3f}])")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, help="output folder (data, one run per seed, teachers.json)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--compare", type=Path, nargs=2, metavar=("A.json", "B.json"), help="print B - A paired by seed instead of training")
    a = p.parse_args(argv)
    if a.compare: print(compare(*a.compare)); return 0
    if a.out is None: p.error("--out is required to train (or give --compare A.json B.json)")
    if a.out.exists() and not a.out.is_dir(): p.error(f"--out must be a folder; got the file {a.out}")
    train_seeds(a.out, a.seeds)
    return 0


if __name__ == "__main__": sys.exit(main())
