"""The kit's head initialisation against YOLC's published one (`05_hrh_sco`'s experiment): every head variant, both inits, seeds 0, 1, 2.

Trains the five head variants of `05_hrh_sco` (`HRH_VARIANTS`) under `init="default"` and `init="yolc"` with each of the
seeds 0, 1 and 2 (the seed sets the initial weights and the order of the batches; the crops stay the same), on the crops
and schedule of `experiments/hrh_sco_decoders.py`, and decodes the unseen crops. It writes two tables and a figure:

- `nbs/results/hrh_sco_init.json` (`results_table("hrh_sco_init")`): per variant, recall and mean centre error
  (half-pixel decoding) under each init, averaged over the seeds, and the yolc-minus-default difference paired by seed
  with its 95% t interval (2 degrees of freedom);
- `nbs/results/hrh_sco_init_runs.json`: one row per run, with the diagnostics the notebook quotes (highest heatmap score
  on the test crops, heatmap loss at the first step and over the last 10, centre error with SCO decoding);
- `nbs/images/hrh_sco_init.png`: recall and centre error per variant and init, each seed a point, and the paired differences.

The code is the notebook's own: this script runs its cells that start with `# experiment harness` (as
`hrh_sco_decoders.py` does, whose helpers it imports). About 30 runs of 400 steps: 25 to 40 minutes on one CPU thread.
`--quick` is a smoke test of the script (a few steps on a few crops, written under runs/ unless --results/--images say
otherwise), not a result.

    python experiments/hrh_sco_init.py            # the notebook's run
    python experiments/hrh_sco_init.py --quick
"""
import argparse, datetime, shlex, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hrh_sco_decoders import ROOT, add_run_args, machine, run_setup

NAME = "hrh_sco_init"
DECODING = "integer + 1/2"                  # every variant has it; the YOLC baseline and plain HRH have no SCO
COLUMNS = ["variant", "heatmap stride (px)", "recall, default", "recall, yolc", "recall: yolc - default", "95% interval",
           "error, default (px)", "error, yolc (px)", "error: yolc - default (px)", "95% interval (px)"]
RUN_COLUMNS = ["variant", "init", "seed", "recall", "error, integer + 1/2 (px)", "error, SCO (px)", "top score",
               "heatmap loss, first step", "heatmap loss, last 10 steps"]
COLOURS = {"default": "tab:blue", "yolc": "tab:orange"}


def signed(v: float) -> str: return f"{v:+.2f}"
def interval(lo: float, hi: float) -> str: return f"[{lo:+.2f}, {hi:+.2f}]"


def table_rows(summary: list, strides: dict) -> list:
    "One row per variant (COLUMNS): means to 3 decimals, differences and intervals as signed strings to 2."
    r3 = lambda v: "-" if v != v else round(float(v), 3)      # NaN: nothing matched (a --quick run)
    return [[r["variant"], strides[r["variant"]], r3(r["recall, default"]), r3(r["recall, yolc"]), signed(r["recall: yolc - default"]),
             interval(r["recall: low"], r["recall: high"]), r3(r["mean, default"]), r3(r["mean, yolc"]),
             signed(r["mean: yolc - default"]), interval(r["mean: low"], r["mean: high"])] for r in summary]


def run_rows(runs: dict) -> list:
    "One row per (variant, init, seed) run (RUN_COLUMNS), sorted by variant as run, then init, then seed."
    r3 = lambda v: "-" if v != v else round(float(v), 3)
    names = list(dict.fromkeys(v for _, _, v in runs))
    keys = sorted(runs, key=lambda k: (names.index(k[2]), k[0], k[1]))
    return [[n, i, s, r3(runs[i, s, n]["rows"][DECODING]["recall"]), r3(runs[i, s, n]["rows"][DECODING]["mean"]),
             r3(runs[i, s, n]["rows"]["SCO"]["mean"]) if "SCO" in runs[i, s, n]["rows"] else "-",
             r3(runs[i, s, n]["top_score"]), r3(runs[i, s, n]["first_heatmap_loss"]), r3(runs[i, s, n]["last_heatmap_loss"])]
            for i, s, n in keys]


def runs_from_file(res: dict) -> dict:
    "The per-run table of a results file (`run_rows`) back as `run_init_comparison`'s dict, as far as the table and figure need it."
    col = {c: k for k, c in enumerate(res["columns"])}
    num = lambda v: float("nan") if v == "-" else v
    return {(r[col["init"]], r[col["seed"]], r[col["variant"]]): dict(
                rows={DECODING: dict(recall=num(r[col["recall"]]), mean=num(r[col["error, integer + 1/2 (px)"]]))}
                     | ({"SCO": dict(mean=num(r[col["error, SCO (px)"]]))} if r[col["error, SCO (px)"]] != "-" else {}),
                top_score=num(r[col["top score"]]), first_heatmap_loss=num(r[col["heatmap loss, first step"]]),
                last_heatmap_loss=num(r[col["heatmap loss, last 10 steps"]])) for r in res["rows"]}


def render(runs: dict, summary: list, strides: dict, title: str):
    "Figure: (a) recall and (b) centre error per variant and init, a point per seed and a bar at the mean; (c) the paired differences."
    import numpy as np
    from matplotlib.figure import Figure
    fig = Figure(figsize=(15, 4.8))
    axes = fig.subplots(1, 3, gridspec_kw=dict(width_ratios=(1, 1, 1.05)))
    names = [r["variant"] for r in summary]
    seeds = sorted({s for _, s, _ in runs})
    labels = [f"{n.replace(' n=', chr(10) + 'n=')}\nstride {strides[n]:g}" for n in names]
    for ax, key, what in ((axes[0], "recall", "recall (share of objects matched)"), (axes[1], "mean", f"centre error, {DECODING} (px)")):
        for k, init in enumerate(COLOURS):
            off = (k - 0.5) * 0.36
            for j, n in enumerate(names):
                v = np.array([runs[init, s, n]["rows"][DECODING][key] for s in seeds if (init, s, n) in runs])
                ax.bar(j + off, v.mean(), width=0.34, color=COLOURS[init], alpha=0.35, label=f"{init}: mean" if j == 0 else None)
                ax.plot(j + off + np.linspace(-0.08, 0.08, len(v)), v, "o", color=COLOURS[init], ms=5,
                        label=f"{init}: one seed" if j == 0 else None)
        ax.set_xticks(range(len(names))); ax.set_xticklabels(labels, fontsize=9)
        ax.set_ylabel(what, fontsize=10)
    axes[0].set_ylim(0, 1.22)
    axes[0].set_title(f"(a) recall, seeds {', '.join(map(str, seeds))}", fontsize=10)
    axes[1].set_title("(b) mean centre error over matched objects", fontsize=10)
    axes[0].legend(fontsize=9, loc="upper center", ncol=2, title="head init", title_fontsize=9)
    c = axes[2]
    y = np.arange(len(names))
    for dy, key, colour, what in ((-0.15, "mean", "tab:red", "centre error (px)"), (0.15, "recall", "tab:green", "recall")):
        m = np.array([r[f"{key}: yolc - default"] for r in summary])
        lo, hi = np.array([r[f"{key}: low"] for r in summary]), np.array([r[f"{key}: high"] for r in summary])
        c.errorbar(m, y + dy, xerr=(m - lo, hi - m), fmt="o", color=colour, capsize=4, label=what)
    c.axvline(0, color="k", lw=1)
    c.set_yticks(y); c.set_yticklabels([f"{n}\nstride {strides[n]:g}" for n in names], fontsize=9)
    c.set_ylim(len(names) - 0.5, -1.3)                      # top down, with a free row above for the legend
    c.set_xlabel("yolc minus default (error: px; recall: share)", fontsize=10)
    c.set_title("(c) paired difference, mean and 95% t interval", fontsize=10)
    c.legend(fontsize=9, loc="upper center", ncol=2)
    for ax in axes: ax.tick_params(labelsize=9)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_args(p, NAME, "smoke test: 2 scenes, 16 crops, 20 steps, 2 variants, seeds 0 and 1 (not a result)", unit="run")
    p.add_argument("--replot", action="store_true", help="only redraw the figure from the per-run results file (no training); "
                   "the per-run table is written beside --results, its name ending in _runs")
    a = p.parse_args(argv)
    r = run_setup(p, a, NAME)
    from yolc_nb.demo import save_png
    from yolc_nb.notebooks import save_results
    H, tr, te, variants, steps, out_json, out_png = (r[k] for k in ("H", "tr", "te", "variants", "steps", "out_json", "out_png"))
    seeds = (0, 1) if a.quick else H["INIT_SEEDS"]
    out_runs = out_json.with_name(out_json.stem + "_runs.json")
    if a.replot:
        import json
        res = json.loads(out_runs.read_text(encoding="utf-8"))
        runs = runs_from_file(res)
        names = list(dict.fromkeys(v for _, _, v in runs))
        strides = {n: H["TinyDetector"](3, **H["HRH_VARIANTS"][n]).head.heatmap_stride for n in names}
        save_png(render(runs, H["init_rows"](runs, DECODING), strides, res["title"].removesuffix(": each run")), out_png, 100)
        print(f"redrew {out_png.name} from {out_runs.name}")
        return 0
    t0 = time.perf_counter()
    train, test = H["make_split"](**tr), H["make_split"](**te)
    n_obj = sum(len(s["boxes"]) for s in test)
    print(f"{len(train)} training crops, {len(test)} test crops ({n_obj} objects); {len(variants)} variants x "
          f"{len(H['HEAD_INITS'])} inits x seeds {seeds}, {steps} steps each", flush=True)
    runs = H["run_init_comparison"](train, test, steps, seeds=seeds, variants=variants, progress=True)
    summary = H["init_rows"](runs, DECODING)
    strides = {n: H["TinyDetector"](3, **H["HRH_VARIANTS"][n]).head.heatmap_stride for n in variants}
    minutes = (time.perf_counter() - t0) / 60
    title = "The kit's head initialisation against YOLC's published one" + (" (--quick: a smoke test, not a result)" if a.quick else "")
    cmd = "python experiments/hrh_sco_init.py" + "".join(f" {shlex.quote(x)}" for x in (argv if argv is not None else sys.argv[1:]))
    setup = (f"{len(variants)} head variants on `TinyDetector` (05_hrh_sco), each trained under `init=\"default\"` and `init=\"yolc\"` "
             f"with seeds {', '.join(map(str, seeds))} (initial weights and batch order; the crops stay the same) for {steps} steps of "
             f"batch 8 (AdamW, one-cycle, lr 3e-3) on {tr['n_crops']} random {tr['crop']}x{tr['crop']} crops of {tr['n_scenes']} dense "
             f"synthetic scenes, then decoded on {te['n_crops']} crops of {te['n_scenes']} unseen scenes ({n_obj} objects).")
    match = ("recall: share of true objects matched by a detection (score >= 0.1, same class, peak cell within max(4, 2 x stride) px). "
             f"error: mean distance in input pixels between decoded ({DECODING}: the peak cell's centre) and true centre over the matched objects.")
    when, where = datetime.date.today().isoformat(), machine(a.threads)
    save_results(out_json, title, COLUMNS, table_rows(summary, strides), command=cmd, machine=where, date=when,
                 notes=[setup, match, f"Means over the {len(seeds)} seeds; yolc - default: mean of the differences paired by seed, with its "
                        f"95% t interval ({len(seeds) - 1} degrees of freedom). Per-run values: `{out_runs.stem}`.",
                        f"Wall time {minutes:.1f} min on a shared machine."])
    save_results(out_runs, title + ": each run", RUN_COLUMNS, run_rows(runs), command=cmd, machine=where, date=when,
                 notes=[setup, match, "error, SCO: the same with the learned sub-pixel offsets (-: the variant has none). top score: the "
                        "highest heatmap score on the test crops. heatmap loss: the focal loss of the heatmap at the first training "
                        "step and its mean over the last 10 steps."])
    save_png(render(runs, summary, strides, title), out_png, 100)
    rel = lambda f: f.relative_to(ROOT) if f.is_relative_to(ROOT) else f
    print(f"wrote {rel(out_json)}, {rel(out_runs)} and {rel(out_png)} ({minutes:.1f} min)")
    for r in summary:
        print(f"{r['variant']:14s} recall {r['recall, default']:.2f} / {r['recall, yolc']:.2f}, "
              f"error {r['mean, default']:.2f} / {r['mean, yolc']:.2f} px ({signed(r['mean: yolc - default'])} "
              f"{interval(r['mean: low'], r['mean: high'])})")
    return 0


if __name__ == "__main__": sys.exit(main())
