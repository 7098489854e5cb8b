"""LSM crops against uniform slices at equal pixels (`15_lsm_vs_slices`).

For each family of scenes and each detector seed: train one detector (the demo's teacher network, with YOLC's crop
augmentation), run every setting of `study_modes` on the validation scenes one image at a time (global pass; LSM with 1-4
crops at enlargements 1, 1.5 (YOLC's), 2, 3 and 4; SAHI's uniform slices with the full image, several sizes, with and without enlargement;
oracle crops), and score each with pycocotools and AI-TOD's size ranges. Then, over the seeds: each setting's mean metrics,
pixels processed and time; the pairs of LSM and slice settings whose budgets are within 10%, with their paired difference
(LSM minus slices: per seed the bootstrap over images, over seeds the mean and its t interval).

Two families of scenes:
- `demo`: the demo's synthetic scenes (128x128, objects at 0.4x VisDrone's sizes, in clusters along roads);
- `visdrone`: the 50 real VisDrone2019-DET layouts (public SAHI test data, fetched by `find_shared_data`) drawn on synthetic
  ground at a quarter of their resolution (e.g. 1400x1050 -> 350x262), 35 scenes for training and 15 for validation.

    python experiments/lsm_vs_slices.py --out runs/lsm_vs_slices --seeds 0 1 2 --threads 1 --write-repo

Per-seed results go to --out (a rerun reuses trained detectors and finished evaluations there); `--write-repo` also writes
`nbs/results/lsm_vs_slices*.json` and `nbs/images/lsm_vs_slices_*.png`, which `15_lsm_vs_slices` and the README show.
`--quick` is a smoke run of the script (tiny sizes, a few steps; not a result).
"""
import argparse, datetime, json, os, platform, sys, time
from pathlib import Path

FAMILIES = {
    "demo": dict(title="the demo's synthetic scenes (128x128)", slice_sizes=(32, 64, 128), steps=300, train_size=None),
    "visdrone": dict(title="real VisDrone2019 layouts at 1/4 resolution", slice_sizes=(64, 96, 128, 192), steps=400, train_size=(128, 128)),
}
REPO = Path(__file__).resolve().parent.parent
CROP_SCALES = (1., 1.5, 2., 3., 4.)                          # YOLC's 1, 1.5, 2, and further up so that LSM's budgets reach the slices'
SLICE_VARIANTS = ((1., True), (1.5, True), (2., True), (1., False))   # (enlargement, full image too): SAHI's default is (1, True)


def scaled_layouts(factor: float):
    "The 50 VisDrone layouts (boxes, labels, ignored regions) with every size multiplied by `factor`."
    from yolc_nb.data import CocoDetection, DetectionDataset, find_shared_data
    root = find_shared_data()
    if root is None: raise SystemExit("the VisDrone layouts are not here and could not be downloaded (offline): run with --families demo")
    src = CocoDetection(root / "visdrone2019_det_train_first50.coco.json")
    recs = []
    for r in src.records:
        r = dict(r)
        H, W = max(32, round(r["height"] * factor)), max(32, round(r["width"] * factor))
        sx, sy = W / r["width"], H / r["height"]
        r["boxes"] = [[b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy] for b in r["boxes"]]
        r["ignore_boxes"] = [[b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy] for b in r.get("ignore_boxes", [])]
        r["height"], r["width"] = H, W
        recs.append(r)
    return DetectionDataset(recs, list(src.class_names), source=f"{src.source} x{factor:g}")


def write_family(family: str, folder: Path, quick: bool) -> int:
    "Write the family's train/val scenes under `folder` (once); returns the number of classes."
    from yolc_nb.data import SyntheticAerial, DetectionDataset, to_coco, write_synthetic
    done = folder / "classes.txt"
    if done.is_file(): return int(done.read_text())
    if family == "demo":
        s = dict(size=(64, 64), object_scale=0.5, n_train=8, n_val=4) if quick else dict(size=(128, 128), object_scale=0.4, n_train=64, n_val=48)
        write_synthetic(folder, s["n_train"], s["n_val"], s["size"], seed=0, progress=False, object_scale=s["object_scale"], overwrite=True)
        n = 3
    else:
        lay = scaled_layouts(0.125 if quick else 0.25)
        k = 4 if quick else 35
        m = 2 if quick else 15
        for split, recs, seed in (("train", lay.records[:k], 0), ("val", lay.records[k:k + m], 1000)):
            ds = SyntheticAerial.from_layouts(DetectionDataset(recs, lay.class_names), seed=seed)
            to_coco(ds, folder / f"{split}.coco.json", image_dir=folder / split)
        n = len(lay.class_names)
    done.write_text(str(n))
    return n


def train_detector(family: str, folder: Path, n_cls: int, seed: int, out: Path, quick: bool, progress: bool):
    "The family's detector for `seed` (trained once; later runs load it)."
    from yolc_nb.config import TrainConfig
    from yolc_nb.demo import DEMO_SETTINGS, demo_model_config
    from yolc_nb.detector import load_detector
    from yolc_nb.train import train
    if (out / "last.pt").is_file() and (out / "metrics.json").is_file(): return load_detector(out / "last.pt").eval()
    f, s = FAMILIES[family], DEMO_SETTINGS["full"]
    steps = 4 if quick else f["steps"]
    spec = "tiny" if quick else s["teacher"]
    cfg = TrainConfig(data=dict(train=str(folder), num_classes=n_cls, crop_aug=True, train_size=None if quick else f["train_size"]),
                      model=demo_model_config(spec, s["heatmap_upsample_num"]), lr=s["lr"], batch_size=4 if quick else s["batch_size"],
                      max_steps=steps, warmup_steps=min(20, steps // 5), out_dir=str(out), seed=seed, progress=progress,
                      eval_crop=False, overwrite=True)
    return train(cfg)["model"].eval()


def evaluate_seed(model, val, modes, out: Path, n_boot: int, seed: int, progress: bool) -> dict:
    "Every setting on `val`: metrics per setting and the matched pairs' bootstrap differences (cached in out/eval.json)."
    from yolc_nb.slices_study import ground_truth, matched_pairs, mode_metrics, pair_difference, run_mode
    f = out / "eval.json"
    if f.is_file(): return json.loads(f.read_text())
    from tqdm.auto import tqdm
    gt = ground_truth(val)
    runs = {m["name"]: run_mode(model, val, m) for m in tqdm(modes, desc=f"settings ({out.name})", disable=not progress)}
    rows = {k: mode_metrics(gt, r) for k, r in runs.items()}
    pairs = matched_pairs(rows)
    diffs = {f"{a} | {b}": {m: pair_difference(gt, runs, (a, b), m, n_boot, seed) for m in ("AP50", "AP_vt")} for a, b in pairs}
    res = dict(rows=rows, pairs=[list(p) for p in pairs], differences=diffs, n_images=len(gt), objects=sum(len(g["boxes"]) for g in gt))
    from yolc_nb.core import atomic_write
    atomic_write(f, json.dumps(res, indent=1))
    return res


def summarize(family: str, per_seed: dict) -> dict:
    "Means over seeds per setting; for each LSM setting matched in every seed to the same slice setting, the paired differences."
    import numpy as np
    from yolc_nb.demo import paired_summary
    seeds = sorted(per_seed)
    names = list(per_seed[seeds[0]]["rows"])
    keys = ("AP50", "AP_vt", "AP_t", "budget", "seconds")
    rows = [dict(name=n, family=per_seed[seeds[0]]["rows"][n]["family"],
                 **{k: float(np.mean([per_seed[s]["rows"][n][k] for s in seeds])) for k in keys}) for n in names]
    pair_sets = [{tuple(p) for p in per_seed[s]["pairs"]} for s in seeds]
    common = sorted(set.intersection(*pair_sets), key=lambda p: (per_seed[seeds[0]]["rows"][p[0]]["budget"], p))
    pairs, seen = [], set()
    for a, b in common:
        same = (b, tuple(round(per_seed[s]["rows"][a][k], 6) for s in seeds for k in ("AP50", "AP_vt", "budget")))
        if same in seen: continue                 # e.g. 3 or 4 crops allowed where LSM found 2: the same runs as the fewer crops'
        seen.add(same)
        entry = dict(lsm=a, slices=b, budget_lsm=float(np.mean([per_seed[s]["rows"][a]["budget"] for s in seeds])),
                     budget_slices=float(np.mean([per_seed[s]["rows"][b]["budget"] for s in seeds])))
        for m in ("AP50", "AP_vt"):
            d = np.array([per_seed[s]["differences"][f"{a} | {b}"][m]["value"] for s in seeds])
            ps = paired_summary(d) if len(d) > 1 else dict(mean=float(d[0]), low=float("nan"), high=float("nan"))
            boots = [per_seed[s]["differences"][f"{a} | {b}"][m] for s in seeds]
            entry[m] = dict(per_seed=d.tolist(), mean=float(ps["mean"]), low=float(ps["low"]), high=float(ps["high"]),
                            boot=[[b_["low"], b_["high"]] for b_ in boots])
        pairs.append(entry)
    refs = [(n, "global") for n in names if n.startswith("slices ") and n.endswith(" x1")] + [("oracle crops x1.5", "LSM 2 crops x1.5")]
    references = []
    for a, b in refs:
        if a not in names or b not in names: continue
        entry = dict(setting=a, reference=b)
        for m in ("AP50", "AP_vt"):
            d = np.array([per_seed[s]["rows"][a][m] - per_seed[s]["rows"][b][m] for s in seeds])
            entry[m] = {k: float(v) for k, v in paired_summary(d).items()} if len(d) > 1 else dict(mean=float(d[0]))
        references.append(entry)
    return dict(family=family, title=FAMILIES[family]["title"], seeds=seeds, rows=rows, pairs=pairs, references=references,
                n_images=per_seed[seeds[0]]["n_images"], objects=per_seed[seeds[0]]["objects"])


def write_repo(summaries: dict, command: str, machine: str, date: str):
    "The results files and figures that `15_lsm_vs_slices` and the README show."
    from yolc_nb.notebooks import save_results
    from yolc_nb.slices_study import render_pareto
    from yolc_nb.demo import save_png
    res_dir, img_dir = REPO / "nbs" / "results", REPO / "nbs" / "images"
    f = lambda x: f"{x:+.3f}"
    rows = []
    for fam, S in summaries.items():
        for p in S["pairs"]:
            seeds = "; ".join(f"{f(d)} [{f(lo)}, {f(hi)}]" for d, (lo, hi) in zip(p["AP50"]["per_seed"], p["AP50"]["boot"]))
            rows.append([S["title"], p["lsm"], p["slices"], f"{p['budget_lsm']:.2f}x / {p['budget_slices']:.2f}x",
                         *(f"{f(p[m]['mean'])} [{f(p[m]['low'])}, {f(p[m]['high'])}]" for m in ("AP50", "AP_vt")), seeds])
        fig = render_pareto(S["rows"], title=f"{S['title']}: {len(S['seeds'])} detector seeds, {S['n_images']} validation scenes, {S['objects']} objects")
        save_png(fig, img_dir / f"lsm_vs_slices_{fam}.png", 100)
        save_results(res_dir / f"lsm_vs_slices_{fam}_settings.json", f"Every setting on {S['title']} (means over {len(S['seeds'])} detector seeds)",
                     ["setting", "AP50", "AP_vt", "AP_t", "pixels / image pixels", "ms per image"],
                     [[r["name"], f"{r['AP50']:.3f}", f"{r['AP_vt']:.3f}", f"{r['AP_t']:.3f}", f"{r['budget']:.2f}", f"{1000 * r['seconds']:.0f}"] for r in S["rows"]],
                     command, machine, date)
    ref_rows = [[S["title"], r["setting"], r["reference"], *(f"{f(r[m]['mean'])} [{f(r[m]['low'])}, {f(r[m]['high'])}], MDE {r[m]['mde']:.3f}"
                                                            for m in ("AP50", "AP_vt"))]
                for S in summaries.values() for r in S["references"] if "low" in r["AP50"]]
    save_results(res_dir / "lsm_vs_slices_references.json", "What a second look adds at native scale (SAHI's slices minus the global pass), and oracle against LSM crops",
                 ["scenes", "setting", "minus", "AP50 difference [95% CI], MDE", "AP_vt difference [95% CI], MDE"], ref_rows, command, machine, date,
                 notes=["Mean over the detector seeds of the paired difference, its t interval, and the smallest difference the seeds could have "
                        "seen (two-sided 5% paired t test, 80% power)."])
    seeds = sorted({len(S["seeds"]) for S in summaries.values()})
    save_results(res_dir / "lsm_vs_slices.json", "LSM crops minus uniform slices at the same budget (within 10%)",
                 ["scenes", "LSM setting", "slice setting", "budget (LSM / slices)", "AP50 difference [95% CI]", "AP_vt difference [95% CI]",
                  "AP50 difference per seed [bootstrap 95% over images]"],
                 rows, command, machine, date,
                 notes=[f"Mean over {', '.join(map(str, seeds))} detector seeds of the paired difference on the same validation scenes; the interval is the t interval over seeds; "
                        "per seed, the paired bootstrap over images (`bootstrap_difference`, 200 draws). "
                        "Budget: pixels the network processes per image pixel (every input, after enlargement and padding)."])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="runs/lsm_vs_slices")
    ap.add_argument("--families", nargs="+", default=list(FAMILIES), choices=list(FAMILIES))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--quick", action="store_true", help="a smoke run of the script (tiny sizes, a few steps): not a result")
    ap.add_argument("--write-repo", action="store_true", help="write nbs/results and nbs/images (the files the notebook and README show)")
    ap.add_argument("--no-progress", dest="progress", action="store_false")
    a = ap.parse_args(argv)
    import torch
    torch.set_num_threads(a.threads)
    from yolc_nb.train import build_datasets
    from yolc_nb.config import DataConfig
    from yolc_nb.slices_study import study_modes
    out = Path(a.out)
    t0 = time.time()
    summaries = {}
    for fam in a.families:
        folder = out / fam / "data"
        n_cls = write_family(fam, folder, a.quick)
        _, val = build_datasets(DataConfig(train=str(folder), num_classes=n_cls))
        sizes = (16, 32) if a.quick else FAMILIES[fam]["slice_sizes"]
        modes = study_modes(lsm_crops=(1, 2, 3, 4), crop_scales=CROP_SCALES, slice_sizes=sizes, slice_variants=SLICE_VARIANTS)
        per_seed = {}
        for seed in a.seeds:
            t1 = time.time()
            model = train_detector(fam, folder, n_cls, seed, out / fam / f"seed{seed}", a.quick, a.progress)
            per_seed[seed] = evaluate_seed(model, val, modes, out / fam / f"seed{seed}", a.n_boot, seed, a.progress)
            print(f"{fam} seed {seed}: {len(per_seed[seed]['pairs'])} matched pairs ({time.time() - t1:.0f} s)", flush=True)
        S = summaries[fam] = summarize(fam, per_seed)
        print(f"\n## {S['title']}\n")
        for r in S["rows"]: print(f"  {r['name']:<22} AP50 {r['AP50']:.3f}  AP_vt {r['AP_vt']:.3f}  AP_t {r['AP_t']:.3f}  budget {r['budget']:.2f}x  {1000 * r['seconds']:.0f} ms")
        for p in S["pairs"]:
            print(f"  {p['lsm']} vs {p['slices']} ({p['budget_lsm']:.2f}x / {p['budget_slices']:.2f}x): "
                  + ", ".join(f"{m} {p[m]['mean']:+.3f} [{p[m]['low']:+.3f}, {p[m]['high']:+.3f}]" for m in ("AP50", "AP_vt")))
    (out / "summary.json").write_text(json.dumps(summaries, indent=1))
    cmd = "python experiments/lsm_vs_slices.py " + " ".join(
        [f"--seeds {' '.join(map(str, a.seeds))}", f"--families {' '.join(a.families)}", f"--threads {a.threads}"] + (["--quick"] if a.quick else []))
    machine = f"{platform.processor() or platform.machine()}, {a.threads} torch thread(s), torch {torch.__version__}"
    if a.write_repo: write_repo(summaries, cmd, machine, datetime.date.today().isoformat())
    print(f"total {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
