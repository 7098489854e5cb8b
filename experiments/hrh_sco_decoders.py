"""Centre error by decoder and head variant (`05_hrh_sco`'s experiment): integer peaks, the half-pixel shift, DARK and SCO.

Trains the five head variants of `05_hrh_sco` (`HRH_VARIANTS`: the YOLC baseline, HRH with one or two upsampling stages,
with and without sub-pixel centre offsets) on the notebook's synthetic crops, decodes the unseen crops in every way that
applies, and writes the table (`nbs/results/hrh_sco_decoders.json`, shown by `results_table("hrh_sco_decoders")`) and
the figure (`nbs/images/hrh_sco_decoders.png`). The code is the notebook's own: this script runs its cells that start
with `# experiment harness`. About 5 to 10 minutes on one CPU thread (4.2 minutes for the stored run); `--quick` is a smoke test of the script (a few steps on
a few crops, written under runs/ unless --results/--images say otherwise), not a result.

    python experiments/hrh_sco_decoders.py            # the notebook's run: 400 steps per variant
    python experiments/hrh_sco_decoders.py --quick
"""
import argparse, datetime, os, platform, shlex, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "hrh_sco_decoders"
DECODINGS = ("integer", "integer + 1/2", "DARK", "SCO")
SIZES = ("very_tiny", "tiny", "small", "medium")
COLUMNS = ["variant", "heatmap stride (px)", "decoding", "recall", "mean error (px)", "p90 (px)",
           "very tiny", "tiny", "small", "medium", "branch memory, 512 px (MiB)"]


def harness():
    "The namespace of `05_hrh_sco`'s experiment harness cells, run on top of `yolc_nb.hrh_sco`."
    import yolc_nb.hrh_sco
    sys.path.append(str(ROOT / "benchmarks"))
    from _common import notebook_namespace
    return notebook_namespace("05_hrh_sco.ipynb", lambda src: src.startswith("# experiment harness"), dict(vars(yolc_nb.hrh_sco)))


def table_rows(runs: dict, strides: dict) -> list:
    "One row per variant and decoding (COLUMNS): errors rounded to 3 decimals, memory to 1 MiB."
    r3 = lambda v: "-" if v != v else round(v, 3)        # NaN: no object of that size matched
    return [[name, strides[name], r["decoding"], r3(r["recall"]), r3(r["mean"]), r3(r["p90"]), *(r3(r[c]) for c in SIZES), round(run["mem512"])]
            for name, run in runs.items() for r in run["rows"]]


def render(runs: dict, strides: dict, title: str):
    "Figure: (a) mean and p90 centre error per variant and decoding; (b) the error distribution of each decoding of the stride-2 HRH+SCO head."
    import numpy as np
    from matplotlib.figure import Figure
    fig = Figure(figsize=(13, 4.6))
    a, b = fig.subplots(1, 2, gridspec_kw=dict(width_ratios=(1.35, 1)))
    names, top, w = list(runs), 4.0, 0.2
    colours = dict(zip(DECODINGS, ("tab:gray", "tab:blue", "tab:orange", "tab:red")))
    for i, m in enumerate(DECODINGS):
        pts = [(j, r) for j, n in enumerate(names) for r in runs[n]["rows"] if r["decoding"] == m]
        xs = [j + (i - 1.5) * w for j, _ in pts]
        a.bar(xs, [min(r["mean"], top) for _, r in pts], width=w, color=colours[m], label=m)
        a.plot(xs, [min(r["p90"], top) for _, r in pts], "k_", ms=9, mew=1.5, label="90th percentile" if i == 0 else None)
        for x, (_, r) in zip(xs, pts):
            if r["mean"] > top: a.text(x, top, f"{r['mean']:.1f}", ha="center", va="bottom", fontsize=9)
    a.set_ylim(0, top * 1.12)
    a.set_xticks(range(len(names)))
    a.set_xticklabels([f"{n}\nstride {strides[n]:g}" for n in names], fontsize=9)
    a.set_ylabel("centre error (px)", fontsize=10)
    a.set_title("(a) mean centre error over matched objects (bars), p90 (dashes)", fontsize=10)
    a.legend(fontsize=9, ncol=3, loc="upper left", title="decoding", title_fontsize=9)
    key = "HRH+SCO n=1"
    if key in runs:
        errs, s = runs[key]["ce"]["errors"], strides[key]
        for m in DECODINGS:
            e = np.sort(errs[m][~errs[m].isnan()].numpy())
            b.step(np.r_[0, e], np.arange(len(e) + 1) / len(e), where="post", color=colours[m], lw=1.8,
                   label=f"{m} (median {np.median(e):.2f} px)")
        for v, ls, what in ((0.765 * s, ":", "integer"), (0.383 * s, "--", "integer + 1/2")):   # (sqrt(2) + asinh(1))/3 * s and half that
            b.axvline(v, color="k", ls=ls, lw=1, label=f"perfect heatmap, {what}: mean {v:.2f} px")
        b.set_xlim(0, 4); b.set_ylim(0, 1)
        b.set_xlabel("centre error (px)", fontsize=10); b.set_ylabel("share of matched objects", fontsize=10)
        b.set_title(f"(b) {key} (stride {s:g}): cumulative distribution", fontsize=10)
        b.legend(fontsize=9, loc="lower right")
    for ax in (a, b): ax.tick_params(labelsize=9)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def machine(threads: int) -> str:
    import torch
    sys.path.append(str(ROOT / "benchmarks"))
    from _common import cpu_model
    return (f"{cpu_model()}, {os.cpu_count()} logical cores, {threads} torch thread(s); torch {torch.__version__}, "
            f"Python {platform.python_version()}")


QUICK_TRAIN, QUICK_TEST = dict(n_scenes=2, n_crops=16, crop=96, seed=0), dict(n_scenes=1, n_crops=4, crop=96, seed=100)
QUICK_VARIANTS, QUICK_STEPS = ("YOLC baseline", "HRH+SCO n=1"), 20


def add_run_args(p: argparse.ArgumentParser, name: str, quick_help: str, unit: str = "variant"):
    "The options the notebook's experiment scripts share: --quick, --steps, --threads, --results, --images."
    p.add_argument("--quick", action="store_true", help=quick_help)
    p.add_argument("--steps", type=int, default=None, help=f"training steps per {unit} (default: the notebook's EXPERIMENT, 400)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1: the notebook's setting)")
    p.add_argument("--results", type=Path, default=None, help=f"results file (default: nbs/results/{name}.json; --quick: runs/{name}_quick.json)")
    p.add_argument("--images", type=Path, default=None, help=f"figure file (default: nbs/images/{name}.png; --quick: runs/{name}_quick.png)")


def run_setup(p: argparse.ArgumentParser, a, name: str) -> dict:
    "Checks the shared options, sets the threads and returns the harness (`H`), the splits (`tr`, `te`), `variants`, `steps` and the output files."
    if a.steps is not None and a.steps < 1: p.error(f"--steps must be a positive integer; got {a.steps}")
    if a.threads < 1: p.error(f"--threads must be a positive integer; got {a.threads}")
    import torch
    torch.set_num_threads(a.threads)
    H = harness()
    exp = H["EXPERIMENT"]
    if a.quick: tr, te, variants, steps = QUICK_TRAIN, QUICK_TEST, QUICK_VARIANTS, a.steps or QUICK_STEPS
    else: tr, te, variants, steps = exp["train"], exp["test"], tuple(H["HRH_VARIANTS"]), a.steps or exp["steps"]
    out_json = a.results or (ROOT / "runs" / f"{name}_quick.json" if a.quick else ROOT / "nbs" / "results" / f"{name}.json")
    out_png = a.images or (ROOT / "runs" / f"{name}_quick.png" if a.quick else ROOT / "nbs" / "images" / f"{name}.png")
    return dict(H=H, tr=tr, te=te, variants=variants, steps=steps, out_json=out_json, out_png=out_png)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_run_args(p, NAME, "smoke test: 2 scenes, 16 crops, 20 steps, 2 variants (not a result)")
    a = p.parse_args(argv)
    r = run_setup(p, a, NAME)
    from yolc_nb.demo import save_png
    from yolc_nb.notebooks import save_results
    H, tr, te, variants, steps, out_json, out_png = (r[k] for k in ("H", "tr", "te", "variants", "steps", "out_json", "out_png"))
    t0 = time.perf_counter()
    train, test = H["make_split"](**tr), H["make_split"](**te)
    print(f"{len(train)} training crops, {len(test)} test crops ({sum(len(s['boxes']) for s in test)} objects); "
          f"{len(variants)} variants x {steps} steps", flush=True)
    runs = H["run_experiment"](train, test, steps, variants=variants, progress=True)
    strides = {n: runs[n]["model"].head.heatmap_stride for n in runs}
    minutes = (time.perf_counter() - t0) / 60
    ce = next(iter(runs.values()))["ce"]
    sizes = {c: sum(x == c for x in ce["size_class"]) for c in SIZES}
    title = "Centre error by decoder and head variant" + (" (--quick: a smoke test, not a result)" if a.quick else "")
    cmd = "python experiments/hrh_sco_decoders.py" + "".join(f" {shlex.quote(x)}" for x in (argv if argv is not None else sys.argv[1:]))
    notes = [f"{len(variants)} head variants on `TinyDetector` (05_hrh_sco), each trained for {steps} steps of batch 8 (AdamW, one-cycle, "
             f"lr 3e-3, seed 0) on {tr['n_crops']} random {tr['crop']}x{tr['crop']} crops of {tr['n_scenes']} dense synthetic scenes, "
             f"then decoded on {te['n_crops']} crops of {te['n_scenes']} unseen scenes: {len(ce['matched'])} objects "
             f"({', '.join(f'{v} {k.replace(chr(95), chr(32))}' for k, v in sizes.items())}; crops overlap, so some objects count more than once).",
             "recall: share of true objects matched by a detection (score >= 0.1, same class, peak cell within max(4, 2 x stride) px), "
             "the same for every decoding of one model. Errors: distance in input pixels between decoded and true centre over the "
             "matched objects (mean, 90th percentile, and mean per AI-TOD size class; -: none of that size matched).",
             "branch memory: activations of the heatmap (+ offset) branch for a batch of 8 at a 512-px input (`heatmap_branch_bytes`).",
             f"Wall time {minutes:.1f} min on a shared machine."]
    save_results(out_json, title, COLUMNS, table_rows(runs, strides), command=cmd, machine=machine(a.threads),
                 date=datetime.date.today().isoformat(), notes=notes)
    save_png(render(runs, strides, title), out_png, 100)
    print(f"wrote {out_json.relative_to(ROOT) if out_json.is_relative_to(ROOT) else out_json} and "
          f"{out_png.relative_to(ROOT) if out_png.is_relative_to(ROOT) else out_png} ({minutes:.1f} min)")
    for n, run in runs.items():
        print(f"{n:14s} " + "  ".join(f"{r['decoding']} {r['mean']:.2f}" for r in run["rows"]) + f"  recall {run['rows'][0]['recall']:.2f}")
    return 0


if __name__ == "__main__": sys.exit(main())
