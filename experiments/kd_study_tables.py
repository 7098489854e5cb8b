"""The KD study's tables as results files: what `13_demo` shows, checked against these files by `tests/check_outputs.py`.

Reads one merged result file of `experiments/yolc_effect.py` (`--merge ... --name NAME` writes `NAME.json` in --out) and writes,
per metric, the table `kd_ablation_table` makes of it (mean and SD over seeds, the paired difference to plain training with its 95%
interval, the seeds ahead, the minimum detectable effect, the KD gradient share, each seed's value) into
`nbs/results/NAME_METRIC.json`; with `--ema`, also `ema_spread_table` (raw weights against their average) into `NAME_ema.json`.

    python experiments/kd_study_tables.py runs/kd_study/studyall.json --name kd_studyall --metrics AP50 AP_vt AP \\
        --title "The forms that act against plain training, 47 seeds"

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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("result", help="a merged result file of experiments/yolc_effect.py")
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
