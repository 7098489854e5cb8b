"""How many pixels buy how much tiny-object coverage: the crop-rule sweep of `06_lsm_crop` on the 50 real VisDrone layouts.

Perfect heatmaps (YOLC's training target drawn from the true boxes), so the sweep measures the cropping rules, not a network:
LSM as published and in the adaptive mode over cell counts and crop caps, SAHI's uniform slices, and the densest uniform slices.
Prints every row; with `--write-repo` writes `nbs/results/lsm_coverage.json` (a selection of rows),
`nbs/results/lsm_coverage_at_80.json` (the budget each family needs for 80% coverage) and `nbs/images/lsm_coverage.png`.

    python experiments/lsm_coverage.py --write-repo
"""
import argparse, datetime, platform, time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SELECTION = [("LSM yolc", "cells=15 keep=2", "**published**: 15 cells, keep 2, min 96x96"), ("LSM yolc", "cells=20 keep=None", "20 cells, keep all"),
             ("LSM yolc", "cells=30 keep=2", "30 cells, keep 2"), ("LSM yolc", "cells=45 keep=None", "45 cells, keep all"),
             ("LSM adaptive", "cells=15 keep=2", "15 cells, keep 2"), ("LSM adaptive", "cells=20 keep=None", "20 cells, keep all"),
             ("LSM adaptive", "cells=30 keep=2", "30 cells, keep 2"), ("LSM adaptive", "cells=45 keep=None", "45 cells, keep all"),
             ("LSM adaptive", "min_density=0.005 keep=None", "`min_density=0.005`, no cell cap"),
             ("uniform", "slice=384 overlap=0.0", "384 px, overlap 0"), ("uniform", "slice=512 overlap=0.2", "512 px, overlap 0.2 (SAHI default)"),
             ("uniform", "slice=800 overlap=0.2", "800 px, overlap 0.2"), ("densest slices", "slice=384 k=8", "384 px, k = 8"),
             ("densest slices", "slice=512 k=4", "512 px, k = 4")]
FAMILIES = {"LSM yolc": "LSM yolc", "LSM adaptive": "LSM adaptive", "uniform": "uniform slicing", "densest slices": "densest uniform slices"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write-repo", action="store_true")
    ap.add_argument("--n", type=int, default=None, help="the first N layouts only (default: all 50)")
    a = ap.parse_args(argv)
    from yolc_nb.lsm_crop import real_layouts, run_experiment, experiment_configs, budget_at, front_budget_at, render_coverage_sweep, is_tiny
    from yolc_nb.notebooks import save_results
    t0 = time.time()
    layouts = real_layouts(a.n)
    if layouts is None: raise SystemExit("the VisDrone layouts are not here and could not be downloaded (offline)")
    rows = run_experiment(layouts, experiment_configs(), progress=True)
    for r in rows: print(f"{r['family']:>15} {r['setting']:<28} coverage {r['coverage']:.3f} budget {r['budget']:.3f} union {r['budget_union']:.3f} crops {r['crops']:.1f}")
    by = {(r["family"], r["setting"]): r for r in rows}
    uni = budget_at(rows, "uniform")[0], front_budget_at(rows, "uniform")
    at80 = []
    for f, name in FAMILIES.items():
        b, fr = budget_at(rows, f)[0], front_budget_at(rows, f)
        at80.append([name, f"{b:.3f} ({fr:.3f})", f"{b / uni[0]:.2f} ({fr / uni[1]:.2f})"])
        print(at80[-1])
    n_tiny = sum(int(is_tiny(b).sum()) for b, _, _ in layouts)
    print(f"{time.time() - t0:.0f} s")
    if a.write_repo:
        cmd = "python experiments/lsm_coverage.py" + (f" --n {a.n}" if a.n else "")
        machine, date = f"{platform.processor() or platform.machine()}, torch threads default", datetime.date.today().isoformat()
        save_results(REPO / "nbs" / "results" / "lsm_coverage.json",
                     f"Tiny-object coverage and pixel budget, a selection of the {len(rows)} settings ({len(layouts)} layouts, {n_tiny} tiny boxes)",
                     ["family", "setting", "tiny coverage", "budget (sum)", "budget (union)", "crops / image"],
                     [[f, label, f"{by[(f, s)]['coverage']:.3f}", f"{by[(f, s)]['budget']:.3f}", f"{by[(f, s)]['budget_union']:.3f}",
                       f"{by[(f, s)]['crops']:.1f}"] for f, s, label in SELECTION], cmd, machine, date,
                     notes=["Budget: crop pixels over image pixels, mean over images; 'sum' counts overlaps with repetition, 'union' once."])
        save_results(REPO / "nbs" / "results" / "lsm_coverage_at_80.json", "Pixel budget needed for 80% tiny-object coverage",
                     ["family", "budget at 80% (Pareto front interpolated)", "ratio to uniform slicing"], at80, cmd, machine, date,
                     notes=["The cheapest measured setting that reaches 80%; in brackets, the family's Pareto front interpolated at exactly 80%."])
        from yolc_nb.demo import save_png
        save_png(render_coverage_sweep(rows, title=f"{len(layouts)} real VisDrone2019 layouts, {n_tiny} tiny boxes, perfect heatmaps"),
                 REPO / "nbs" / "images" / "lsm_coverage.png", 100)


if __name__ == "__main__":
    main()
