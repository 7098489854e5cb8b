"""How hard each KD term pulls on the student in the demo's distillation: gradient shares over training.

    python experiments/kd_shares.py --out runs/kd_shares --every 10 [--images nbs/images]

Uses the demo's data and teacher in OUT (made by `prepare_demo` when missing: `yolc-nb demo`'s first two steps), distils the
demo's student with the given `DistillConfig` overrides (`--distill key=value ...`, default: the kit's defaults) and
`kd_diag_every=EVERY`, and writes OUT/NAME/log.jsonl, OUT/NAME_shares.json (the per-term ratios and cosines at each measured
step, and the share of steps on which local KD ran) and the figure OUT/NAME_kd_shares.png (also under `--images`).
"""
import argparse, json, sys
from pathlib import Path


def parse_overrides(items: list) -> dict:
    "`key=value` pairs; values read as JSON where they parse (numbers, true/false, strings in quotes), else as text."
    out = {}
    for it in items or []:
        k, sep, v = it.partition("=")
        if not sep or not k: raise SystemExit(f"--distill takes key=value pairs; got {it!r}")
        try: out[k] = json.loads(v)
        except json.JSONDecodeError: out[k] = v
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="folder with (or for) the demo's data and teacher")
    p.add_argument("--every", type=int, default=10, help="measure every N steps")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--name", default="student_kd_shares", help="run folder and file prefix")
    p.add_argument("--distill", nargs="*", default=[], metavar="KEY=VALUE", help="DistillConfig overrides")
    p.add_argument("--images", type=Path, help="also save the figure here as kd_shares_NAME.png")
    a = p.parse_args(argv)
    if a.every < 1: p.error(f"--every must be a positive number of steps; got {a.every}")
    import torch
    from yolc_nb.core import atomic_write, set_threads
    from yolc_nb.demo import DEMO_SETTINGS, prepare_demo, demo_train_config, save_png
    from yolc_nb.train import distill, render_kd_shares
    set_threads(1)
    s = DEMO_SETTINGS["full"]
    if not (a.out / "teacher" / "last.pt").exists(): prepare_demo(a.out, seed=0, progress=False)
    kd = dict(teacher_ckpt=str(a.out / "teacher" / "last.pt"), **parse_overrides(a.distill))
    r = distill(demo_train_config(s, a.out, s["student"], s["student_steps"], a.name, a.seed, False, distill=kd, kd_diag_every=a.every))
    rows = r["history"]
    diag = [{k: v for k, v in row.items() if k == "step" or k.endswith(("_ratio", "_cos"))} for row in rows if any(k.endswith("_ratio") for k in row)]
    ran = sum(1 for row in rows if row.get("kd_crops", 0) > 0)
    summary = dict(distill=kd, every=a.every, steps=len(rows), local_kd_steps=ran, local_kd_share=ran / len(rows),
                   crops_per_step=sum(row.get("kd_crops", 0) for row in rows) / len(rows), shares=diag,
                   ap50_crops=r["metrics"].get("crops", {}).get("AP50"))
    atomic_write(a.out / f"{a.name}_shares.json", json.dumps(summary, indent=1))
    fig = render_kd_shares(rows, title=f"demo distillation ({a.name}): KD gradient shares")
    save_png(fig, a.out / f"{a.name}_kd_shares.png", 100)
    if a.images: save_png(fig, a.images / f"kd_shares_{a.name}.png", 100)
    first = diag[0] if diag else {}
    print(f"{a.name}: local KD ran on {ran} of {len(rows)} steps ({summary['crops_per_step']:.2f} crops per step); first measured step "
          + ", ".join(f"{k} {v:.4f}" for k, v in first.items() if k.endswith("_ratio")))
    return 0


if __name__ == "__main__": sys.exit(main())
