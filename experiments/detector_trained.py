"""A trained detector, globally and with crops: the key result of `10_detector`.

Trains the demo's student (the `student` preset with a stride-2 heatmap, YOLC's crop augmentation; `13_demo`'s recipe) on the
demo's synthetic scenes (128x128, objects at 0.4x VisDrone's sizes) with the kit's training loop, evaluates it on 48 validation scenes without and with the crop pass (pycocotools, AI-TOD size ranges), and draws the
validation scene with the most objects: the global pass, the heatmap with LSM's crops, the fused result.

    python experiments/detector_trained.py --out runs/detector_trained --threads 1 --write-repo

`--write-repo` writes `nbs/results/detector_trained.json` and `nbs/images/detector_trained.png` (shown by `10_detector`);
`--quick` is a smoke run of the script (not a result).
"""
import argparse, datetime, platform, time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="runs/detector_trained")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--write-repo", action="store_true")
    a = ap.parse_args(argv)
    import torch
    torch.set_num_threads(a.threads)
    from yolc_nb.config import TrainConfig
    from yolc_nb.train import train
    from yolc_nb.detector import render_detections
    from yolc_nb.demo import DEMO_SETTINGS, demo_model_config
    from yolc_nb.demo import save_png
    from yolc_nb.notebooks import save_results
    t0 = time.time()
    size, steps = ((64, 64), 3) if a.quick else ((128, 128), a.steps)
    s = DEMO_SETTINGS["full"]                                   # the demo's data and student recipe (`13_demo`)
    cfg = TrainConfig(data=dict(size=size, n_train=8 if a.quick else s["n_train"], n_val=4 if a.quick else s["n_val"],
                                object_scale=s["object_scale"], num_classes=3, crop_aug=s["crop_aug"]),
                      model=demo_model_config(s["student"], s["heatmap_upsample_num"]), lr=s["lr"], batch_size=8, max_steps=steps, warmup_steps=min(20, steps // 5), out_dir=a.out,
                      seed=a.seed, eval_crop=True, overwrite=True, progress=not a.quick)
    r = train(cfg)
    model, m = r["model"].eval(), r["metrics"]
    keys = ("AP50", "AP", "AP_vt", "AP_t", "AR")        # the scenes hold no small (16-32 px) objects
    rows = [["global pass", *(f"{m['global'][k]:.3f}" for k in keys)], ["global + LSM crops", *(f"{m['crops'][k]:.3f}" for k in keys)]]
    for row in rows: print(" | ".join(row))
    from yolc_nb.train import build_datasets
    _, val = build_datasets(cfg.data)
    k = max(range(len(val)), key=lambda i: len(val[i]["boxes"]))   # the scene with the most objects: where the clusters are
    s = val[k]
    x, meta = s["image"][None], [s["meta"]]
    g, _ = model.simple_test(x, meta, crop=False)
    f, crops = model.simple_test(x, meta, crop=True)
    with torch.no_grad(): heat = model(x)["heatmap"].sigmoid()[0].amax(0)
    fig = render_detections(s["image"], f[0], crops[0], s["boxes"], score_thr=0.3, global_dets=g[0], heatmap=heat, size=4.0,
                            title=f"the demo's student after {steps} steps, validation scene {k}, the one with the most objects (white: ground truth; yellow, dashed: LSM crops)")
    print(f"{time.time() - t0:.0f} s")
    if a.write_repo:
        cmd = f"python experiments/detector_trained.py --steps {steps} --seed {a.seed} --threads {a.threads}" + (" --quick" if a.quick else "")
        machine = f"{platform.processor() or platform.machine()}, {a.threads} torch thread(s), torch {torch.__version__}"
        save_png(fig, REPO / "nbs" / "images" / "detector_trained.png", 100)
        save_results(REPO / "nbs" / "results" / "detector_trained.json",
                     f"The demo's student after {steps} steps on the demo's scenes, {len(val)} validation scenes (AI-TOD size ranges)",
                     ["pass", *keys], rows, cmd, machine, datetime.date.today().isoformat(),
                     notes=["One training seed: the difference between the rows is this run's, not an estimate of the crops' effect "
                            "(for that, see `13_demo` and `15_lsm_vs_slices`)."])


if __name__ == "__main__":
    main()
