"""The KD study's tables as results files: what `13_demo` shows, checked against these files by `tests/check_outputs.py`.

Reads one merged result file of `experiments/yolc_effect.py` (`--merge ... --name NAME` writes `NAME.json` in --out) and writes,
per metric, the table `kd_ablation_table` makes of it (mean and SD over seeds, the paired difference to plain training with its 95%
interval, the seeds ahead, the minimum detectable effect, the KD gradient share, each seed's value) into
`nbs/results/NAME_METRIC.json`; with `--ema`, also `ema_spread_table` (raw weights against their average) into `NAME_ema.json`.

    python experiments/kd_study_tables.py runs/kd_study/studyall.json --name kd_studyall --metrics AP50 AP_vt AP \\
        --title "The forms that act against plain training, 47 seeds"

With `--crop-gains`, several merged result files (their runs pooled, each student run once) give one table instead: what
LSM's crops add to every student run of the study (AP with crops minus the global pass's, per metric), written to
`nbs/results/NAME.json`:

    python experiments/kd_study_tables.py runs/kd_study/study6.json runs/kd_study/studyall.json runs/kd_study/cwdall.json \\
        runs/kd_tiny/tiny.json --crop-gains --name kd_crop_gain --title "What the crops add to every student run of the KD study"

The commands that made the files `13_demo` shows are in its cell that lists the study's commands.
"""
import argparse, json, shlex, sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


def markdown_rows(md: str) -> tuple:
    "(columns, rows) of a Markdown table (its header, then every row after the separator)."
    lines = [l for l in md.strip().splitlines() if l.startswith("|")]
    cells = lambda l: [c.strip() for c in l.strip().strip("|").split("|")]
    return cells(lines[0]), [cells(l) for l in lines[2:]]


def pooled_runs(results: list) -> dict:
    "Every student run of several merged KD ablations once: {(student preset, variant, seed): metrics}; a run in two files must agree."
    from yolc_nb.demo import STUDY_RENAMES
    from yolc_effect import rename_variants
    runs = {}
    for path, res in results:
        ab = rename_variants(res["kd_ablation"], STUDY_RENAMES)
        student = res.get("settings", {}).get("student") or ab.get("settings", {}).get("student") or ("tiny" if "tiny" in Path(path).stem else "student")
        for variant, per_seed in ab["metrics"].items():
            for seed, m in zip(ab["seeds"], per_seed):
                key = (student, variant, seed)
                if key in runs and runs[key]["crops"] != m["crops"]:
                    raise ValueError(f"{path}: run {key} differs from the same run in another file")
                runs[key] = m
    return runs


def crop_gain_rows(runs: dict, metrics: list) -> list:
    "Per metric: runs, mean gain (+crops minus global) with its 95% t interval over runs, SD, runs up, smallest and largest gain."
    import numpy as np
    from scipy import stats
    rows = []
    for k in metrics:
        g = np.array([m["crops"][k] - m["global"][k] for m in runs.values()])
        half = stats.t.ppf(0.975, len(g) - 1) * g.std(ddof=1) / np.sqrt(len(g))
        rows.append([k, len(g), f"{g.mean():+.4f} [{g.mean() - half:+.4f}, {g.mean() + half:+.4f}]", f"{g.std(ddof=1):.4f}",
                     f"{int((g > 0).sum())} of {len(g)}", f"{g.min():+.4f}", f"{g.max():+.4f}"])
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("result", nargs="+", help="a merged result file of experiments/yolc_effect.py (several with --crop-gains)")
    ap.add_argument("--crop-gains", action="store_true", help="one table: what the crops add to every student run of the files given")
    ap.add_argument("--name", required=True, help="the results files' stem: nbs/results/NAME_METRIC.json")
    ap.add_argument("--title", required=True, help="what the tables show (each title adds its metric)")
    ap.add_argument("--metrics", nargs="+", default=["AP50"])
    ap.add_argument("--ema", action="store_true", help="also the EMA's spread table (runs with an EMA of the weights)")
    ap.add_argument("--machine", default="2 cores of an AMD EPYC, one torch thread per process, torch 2.14.1",
                    help="where the runs were made (the result file does not record it)")
    ap.add_argument("--date", default="2026-12-06", help="when the runs were made")
    a = ap.parse_args(argv)
    from yolc_nb.demo import STUDY_RENAMES, kd_ablation_table, ema_spread_table
    from yolc_nb.notebooks import save_results
    from yolc_effect import rename_variants
    for f in a.result:
        if not Path(f).is_file(): ap.error(f"result: no file {f}")
    if a.crop_gains:
        runs = pooled_runs([(f, json.loads(Path(f).read_text())) for f in a.result])
        cmd = "python experiments/kd_study_tables.py " + shlex.join([Path(f).name for f in a.result] + ["--crop-gains", "--name", a.name, "--metrics", *a.metrics])
        variants = sorted({(s, v) for s, v, _ in runs})
        notes = [f"{len(runs)} student runs, each once: " + "; ".join(f"{v} ({s}), {sum(1 for k in runs if k[:2] == (s, v))}" for s, v in variants) + ".",
                 "The interval is the t interval over runs; the runs share the teacher and the validation scenes, so it is narrower than one over independent studies would be."]
        f = save_results(REPO / "nbs" / "results" / f"{a.name}.json", a.title, ["metric", "runs", "+crops minus global [95% CI]", "SD", "up", "smallest", "largest"],
                         crop_gain_rows(runs, a.metrics), cmd, a.machine, a.date, notes)
        print(f"{f.relative_to(REPO)}: {len(runs)} runs"); return
    if len(a.result) > 1: ap.error("several result files go with --crop-gains only")
    a.result = a.result[0]
    res = rename_variants(json.loads(Path(a.result).read_text())["kd_ablation"], STUDY_RENAMES)
    cmd = "python experiments/kd_study_tables.py " + shlex.join([Path(a.result).name, "--name", a.name, "--metrics", *a.metrics] + (["--ema"] if a.ema else []))
    tables = [(m, kd_ablation_table(res, metric=m), f"{a.title}: {m}") for m in a.metrics]
    if a.ema: tables.append(("ema", ema_spread_table(res), f"{a.title}: raw weights against their EMA (AP50 with crops)"))
    for key, md, title in tables:
        cols, rows = markdown_rows(md)
        f = save_results(REPO / "nbs" / "results" / f"{a.name}_{key}.json", title, cols, rows, cmd, a.machine, a.date)
        print(f"{f.relative_to(REPO)}: {len(rows)} rows")


if __name__ == "__main__":
    main()
