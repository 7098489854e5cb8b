"""The YOLC effect on the demo's tiny-object scenes, over seeds (issue 17's study).

Trains the demo's teacher (with YOLC's crop augmentation) and a second teacher without it, runs the crop
diagnostic at crop scales 1, 1.5 and 2 for both, then trains the demo's student once per seed and KD variant
(`yolc_nb.demo.KD_VARIANTS`: no KD, each term alone, all three). Prints the tables, writes `NAME.md`,
`NAME.json` and the figures under --out. About 40 minutes on one CPU thread.

    python experiments/yolc_effect.py --out runs/yolc_effect --seeds 0 1 2 --threads 1

`--kd-only` runs the KD ablation alone, on the data and teacher already in --out when they are there (made by
a first run: a second process can add seeds beside it), with `--student-steps` and `--variants` to change it:

    python experiments/yolc_effect.py --out runs/yolc_effect --kd-only --seeds 3 4 --name seeds34

Issue 24's study (`yolc_nb.demo.STUDY_VARIANTS`: no KD, a null arm, the default KD, the normalised and weighted forms,
CWD, PKD) on a validation set of 200 scenes, with the speed options and an EMA of the students' weights:

    python experiments/yolc_effect.py --out runs/kd_study --kd-only --variant-set study --n-val 200 --fast --ema-decay 0.98 --ema-tau 20 --seeds 0 1 2 3
    python experiments/yolc_effect.py --out runs/kd_study --kd-only --variant-set study --student tiny --name tiny ...   # the capacity-gap arm

`--crop-only` runs the teachers and the crop study alone, with one pair of teachers (with and without crop augmentation) per seed of
--seeds (their training seed; the data stay seed 0), and writes the tables as results files the notebooks show when --results is given
(`yolc_effect_crop_study.json`: each seed's AP50; `yolc_effect_crop_study_contrasts.json`: the paired differences over seeds):

    python experiments/yolc_effect.py --out runs/crop_study --crop-only --seeds 0 1 2 --threads 1 --results nbs/results --images nbs/images
"""
import argparse, datetime, json, os, platform, sys, time
from pathlib import Path


def other_metrics(ab: dict) -> list:
    "The same paired tables for AP on very tiny objects (AP_vt, under 8 px) and AP over IoU 0.5:0.95."
    from yolc_nb.demo import kd_ablation_table
    return [x for m, what in (("AP_vt", "very tiny objects, under 8 px"), ("AP", "IoU 0.5:0.95"))
            for x in (f"### {m} ({what})", "", kd_ablation_table(ab, metric=m), "")]


def ema_section(ab: dict) -> list:
    "The EMA's effect on the spread between seeds (the same runs' raw weights against their EMA), when the runs kept one."
    from yolc_nb.demo import ema_spread_table
    if "raw_metrics" not in ab: return []
    return ["## The EMA and the spread between seeds (same runs: raw weights against their EMA)", "", ema_spread_table(ab), ""]


def rename_variants(ab: dict, names: dict) -> dict:
    "A KD ablation result with its variants renamed (`STUDY_RENAMES`: the study's runs were made before the default changed, under other names)."
    ren = lambda d: {names.get(k, k): v for k, v in d.items()}
    return {**ab, **{k: ren(ab[k]) for k in ("metrics", "raw_metrics", "kd_diag") if k in ab}}


CROP_COLS = {"global, in crops": "global pass, in crops", "local, in crops": "local pass, in crops",
             "global, everywhere": "global pass, whole images", "fused nms, everywhere": "NMS-fused, whole images"}
TEACHERS = {"teacher, crop aug": True, "teacher, no crop aug": False}   # the name of each teacher of the crop study: does it train with crop augmentation


def crop_study_seed(out: Path, s: dict, seed: int, val) -> dict:
    "Both teachers of one training seed (on `out/data`) and their crop study; kept in `out/crop_study_seed{seed}.json` and reused when the settings match."
    from yolc_nb.core import atomic_write
    from yolc_nb.demo import demo_train_config, crop_study
    from yolc_nb.train import train, summarize_run
    f = out / f"crop_study_seed{seed}.json"
    if f.is_file() and (old := json.loads(f.read_text()))["settings"] == json.loads(json.dumps(s)):
        print(f"seed {seed}: reusing {f}")
        fl = lambda d: {m: {float(k): v for k, v in per.items()} for m, per in d.items()}
        return {**old, "study": {**old["study"], "results": fl(old["study"]["results"]), "counts": fl(old["study"]["counts"])}}
    runs = {}
    for name, aug in TEACHERS.items():
        t0 = time.time()
        folder = ("teacher" if aug else "teacher_no_crop_aug") + (f"_s{seed}" if seed else "")
        runs[name] = train(demo_train_config({**s, "crop_aug": aug}, out, s["teacher"], s["teacher_steps"], folder, seed, False))
        print(f"seed {seed}, {name}: {summarize_run(runs[name])} ({time.time() - t0:.0f} s)", flush=True)
    cs = crop_study({k: r["model"].eval() for k, r in runs.items()}, val, progress=False)
    res = dict(settings=s, seed=seed, study=cs, teachers={k: r["metrics"] for k, r in runs.items()})
    atomic_write(f, json.dumps(res, indent=1, default=float))
    return res


def crop_contrasts(per_seed: dict) -> list:
    "The crop study's paired contrasts over training seeds: (contrast, teacher, crop scale, per-seed differences)."
    import numpy as np
    seeds = list(per_seed)
    scales = per_seed[seeds[0]]["study"]["scales"]
    v = lambda m, sc, r: np.array([x if (x := per_seed[k]["study"]["results"][m][sc][r]) >= 0 else np.nan   # -1: no objects in the crops
                                   for k in seeds], dtype=float)
    aug, plain = TEACHERS
    rows = [("local minus global pass, in crops", m, sc, v(m, sc, "local, in crops") - v(m, sc, "global, in crops")) for m in TEACHERS for sc in scales]
    rows += [("NMS-fused minus global pass, whole images", m, sc, v(m, sc, "fused nms, everywhere") - v(m, sc, "global, everywhere"))
             for m in TEACHERS for sc in scales]
    rows += [("crop aug minus no crop aug, global pass, whole images", "both", "—", v(aug, scales[0], "global, everywhere") - v(plain, scales[0], "global, everywhere"))]
    rows += [("crop aug minus no crop aug, NMS-fused, whole images", "both", sc, v(aug, sc, "fused nms, everywhere") - v(plain, sc, "fused nms, everywhere"))
             for sc in scales]
    rows += [("crop aug minus no crop aug, local minus global pass in crops", "both", sc,
              (v(aug, sc, "local, in crops") - v(aug, sc, "global, in crops")) - (v(plain, sc, "local, in crops") - v(plain, sc, "global, in crops")))
             for sc in scales]
    return rows


def write_crop_results(res_dir: Path, name: str, per_seed: dict, s: dict, command: str, machine: str, date: str) -> list:
    "The crop study as results files: each seed's AP50 per teacher and crop scale, and (two seeds or more) the paired contrasts."
    import numpy as np
    from yolc_nb.demo import paired_summary
    from yolc_nb.notebooks import save_results
    seeds = list(per_seed)
    stem = "yolc_effect_crop_study" if name == "report" else f"yolc_effect_{name}_crop_study"
    rows = [[m, k, f"{sc:g}", *(f"{x:.3f}" if (x := per_seed[k]['study']['results'][m][sc][r]) >= 0 else "—" for r in CROP_COLS),
             f"{per_seed[k]['study']['counts'][m][sc]['objects_in_crops']} in {per_seed[k]['study']['counts'][m][sc]['crops']}"]
            for m in TEACHERS for k in seeds for sc in per_seed[k]["study"]["scales"]]
    first = per_seed[seeds[0]]["study"]
    n_obj = first["counts"][next(iter(TEACHERS))][first["scales"][0]]["objects"]
    files = [save_results(res_dir / f"{stem}.json", f"AP50 of two teachers against the crop scale, per training seed ({s['teacher_steps']} steps, {s['n_val']} validation scenes)",
                          ["teacher", "seed", "crop scale", *CROP_COLS.values(), "objects in crops"], rows, command, machine, date,
                          notes=["In crops: the objects wholly inside the teacher's own LSM crops and the detections centred there"
                                 + f" (of {n_obj} objects in all)" + "; whole images: every object. "
                                 "The two teachers differ only in crop augmentation (`crop_aug`); the data are seed 0 for all."],
                          per_seed={str(k): per_seed[k]["study"] for k in seeds})]
    if len(seeds) > 1:
        crows = []
        for what, m, sc, d in crop_contrasts(per_seed):
            if not np.isfinite(d).all():                     # a seed without objects in its crops: no pair there
                crows.append([what, m, sc if isinstance(sc, str) else f"{sc:g}", ", ".join(f"{x:+.3f}" for x in d), "—", "—", "—"]); continue
            ps = paired_summary(d)
            crows.append([what, m, sc if isinstance(sc, str) else f"{sc:g}", ", ".join(f"{x:+.3f}" for x in d),
                          f"{ps['mean']:+.3f} [{ps['low']:+.3f}, {ps['high']:+.3f}]", f"{ps['ahead']} of {ps['n']}", f"{ps['mde']:.3f}"])
        files.append(save_results(res_dir / f"{stem}_contrasts.json", f"The crop study's contrasts, paired by training seed ({len(seeds)} seeds, AP50)",
                                  ["contrast", "teacher", "crop scale", f"per seed ({', '.join(map(str, seeds))})", "mean [95% t interval]", "seeds above 0", "MDE"],
                                  crows, command, machine, date,
                                  notes=["Each seed's two teachers share the seed and the data; a contrast's interval is the t interval over seeds, "
                                         "MDE the smallest mean difference a two-sided 5% paired t test finds with 80% power."]))
    return files


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="runs/yolc_effect", help="output folder (created; its runs are overwritten)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="student seeds (data and teachers use seed 0); with --crop-only, the teachers' seeds")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1: reproducible tables)")
    ap.add_argument("--quick", action="store_true", help="the demo's quick settings: a smoke test of the script, not a result")
    ap.add_argument("--kd-only", action="store_true", help="only the KD ablation (reusing --out's data and teacher if there)")
    ap.add_argument("--crop-only", action="store_true", help="only the teachers and the crop study, one pair of teachers per seed of --seeds (no KD ablation)")
    ap.add_argument("--results", default=None, help="also write the crop study's results files into this folder (e.g. nbs/results)")
    ap.add_argument("--student-steps", type=int, default=None, help="training steps of each student (default: the demo's)")
    ap.add_argument("--teacher-steps", type=int, default=None, help="training steps of the teacher(s) (default: the demo's)")
    ap.add_argument("--variants", nargs="+", default=None, help="KD variants to train (default: all of the variant set)")
    ap.add_argument("--variant-set", choices=("ablation", "study"), default="ablation", help="KD_VARIANTS (each term alone) or STUDY_VARIANTS (issue 24)")
    ap.add_argument("--n-val", type=int, default=None, help="validation scenes of a new data set (default: the demo's 48)")
    ap.add_argument("--student", default=None, help="the students' detector preset (default: the demo's; e.g. tiny for a capacity gap)")
    ap.add_argument("--ema-decay", type=float, default=None, help="keep and evaluate an EMA of each student's weights (the raw weights are scored too)")
    ap.add_argument("--ema-tau", type=float, default=None, help="the EMA's ramp in steps (TrainConfig.ema_tau, default 2000: scale it to the run, e.g. 20 for 200 steps)")
    ap.add_argument("--kd-diag-every", type=int, default=0, help="distilled runs log each KD term's gradient share every N steps (the table's KD grad column)")
    ap.add_argument("--fast", action="store_true", help="channels-last memory and the teacher's batch norms folded (benchmarks/bench_distill.py)")
    ap.add_argument("--merge", nargs="+", default=None, metavar="JSON",
                    help="no training: merge the KD ablations of these result files (disjoint seeds) into one table and figure")
    ap.add_argument("--name", default="report", help="stem of the report, results and figure files (default: report)")
    ap.add_argument("--images", default=None, help="also copy the figures into this folder (e.g. nbs/images), as yolc_effect_NAME_*.png")
    a = ap.parse_args(argv)
    if a.crop_only and (a.kd_only or a.merge): ap.error("--crop-only goes with neither --kd-only nor --merge")
    if a.results and (a.kd_only or a.merge): ap.error("--results writes the crop study's tables: it goes with --crop-only or a full run")
    if a.crop_only and len(set(a.seeds)) != len(a.seeds): ap.error(f"--seeds must be distinct; got {a.seeds}")
    if len(set(a.seeds)) < 2 and not a.kd_only and not a.crop_only: ap.error(f"--seeds: at least two distinct seeds are needed for a spread; got {a.seeds}")
    for f in ("student_steps", "teacher_steps"):
        if getattr(a, f) is not None and getattr(a, f) < 1: ap.error(f"--{f.replace('_', '-')} must be a positive integer; got {getattr(a, f)}")
    import torch
    from yolc_nb.core import atomic_write, set_threads
    from yolc_nb.demo import (DEMO_SETTINGS, KD_VARIANTS, STUDY_VARIANTS, prepare_demo, demo_train_config, save_png, kd_ablation, kd_ablation_table, crop_gain_table,
                              render_kd_ablation, crop_study, render_crop_study)
    from yolc_nb.train import train, build_datasets, DataConfig, summarize_run
    from yolc_nb.notebooks import render_results
    pool = STUDY_VARIANTS if a.variant_set == "study" else KD_VARIANTS
    variants = pool if a.variants is None else a.variants
    if bad := [v for v in variants if v not in pool]: ap.error(f"--variants: {bad} not in {list(pool)}")
    if "no KD" not in variants: ap.error("--variants must include 'no KD' (the paired baseline)")
    variants = {v: pool[v] for v in variants}
    if a.kd_diag_every < 0: ap.error(f"--kd-diag-every must be 0 (off) or a positive number of steps; got {a.kd_diag_every}")
    if a.n_val is not None and a.n_val < 2: ap.error(f"--n-val must be at least 2 scenes; got {a.n_val}")
    if a.ema_decay is not None and not 0 < a.ema_decay < 1: ap.error(f"--ema-decay must be in (0, 1); got {a.ema_decay}")
    if a.ema_tau is not None and (a.ema_decay is None or not a.ema_tau > 0): ap.error(f"--ema-tau must be > 0 and goes with --ema-decay; got {a.ema_tau}")
    train_kw = {**({"ema_decay": a.ema_decay} if a.ema_decay else {}), **({"ema_tau": a.ema_tau} if a.ema_tau else {}), **({"channels_last": True} if a.fast else {})}
    distill_kw = {"fold_teacher_bn": True} if a.fast else {}
    set_threads(a.threads)
    out = Path(a.out)
    if a.merge:
        from yolc_nb.demo import merge_ablations, crop_gain_table
        for f in a.merge:
            if not Path(f).is_file(): ap.error(f"--merge: no result file {f}")
        from yolc_nb.demo import STUDY_RENAMES
        abl = [rename_variants(json.loads(Path(f).read_text())["kd_ablation"], STUDY_RENAMES) for f in a.merge]
        ab = merge_ablations(*abl)
        md = [f"# The KD ablation, {len(a.merge)} runs merged (students seeds {ab['seeds']})", "", kd_ablation_table(ab), "", *other_metrics(ab),
              "What the crops add to each student run:", "", crop_gain_table(ab), "",
              f"![KD ablation]({a.name}_kd_ablation.png)", "", *ema_section(ab)]
        save_png(render_kd_ablation(ab), out / f"{a.name}_kd_ablation.png", 100)
        if a.images: save_png(render_kd_ablation(ab), Path(a.images) / f"yolc_effect_{a.name}_kd_ablation.png", 100)
        atomic_write(out / f"{a.name}.md", "\n".join(md)); atomic_write(out / f"{a.name}.json", json.dumps(dict(kd_ablation=ab), indent=1, default=float))
        print("\n".join(md)); return 0
    if out.exists() and not out.is_dir(): ap.error(f"--out must be a folder; {out} is a file")
    t_start = time.time()
    machine_env = lambda: (f"{datetime.date.today()}, {platform.machine()} CPU, {os.cpu_count()} cores, torch {torch.__version__}, "
                   f"{torch.get_num_threads()} thread(s)")
    if a.crop_only:
        from yolc_nb.data import write_synthetic
        s = dict(DEMO_SETTINGS["quick" if a.quick else "full"], **({"teacher_steps": a.teacher_steps} if a.teacher_steps else {}),
                 **({"n_val": a.n_val} if a.n_val else {}))
        out.mkdir(parents=True, exist_ok=True)
        write_synthetic(out / "data", s["n_train"], s["n_val"], s["size"], seed=0, progress=False, object_scale=s["object_scale"], overwrite=True)
        _, val = build_datasets(DataConfig(train=str(out / "data"), size=s["size"]))
        per_seed = {k: crop_study_seed(out, s, k, val) for k in a.seeds}
        fig = render_crop_study([r["study"] for r in per_seed.values()])
        save_png(fig, out / f"{a.name}_crop_study.png", 100)
        if a.images: save_png(fig, Path(a.images) / f"yolc_effect_{a.name}_crop_study.png", 100)
        cmd = (f"python experiments/yolc_effect.py --crop-only --seeds {' '.join(map(str, a.seeds))} --threads {a.threads}" + " --quick" * a.quick
               + (f" --teacher-steps {a.teacher_steps}" if a.teacher_steps else "") + (f" --n-val {a.n_val}" if a.n_val else "")
               + (f" --name {a.name}" if a.name != "report" else ""))
        machine = f"{platform.machine()} CPU ({os.cpu_count()} cores), {a.threads} torch thread(s), torch {torch.__version__}"
        date = datetime.date.today().isoformat()
        files = write_crop_results(out, a.name, per_seed, s, cmd, machine, date)
        if a.results: write_crop_results(Path(a.results), a.name, per_seed, s, cmd, machine, date)
        total = time.time() - t_start
        md = ["# Crop scale and crop augmentation on the demo's scenes", "", f"`{cmd}`: {machine_env()}; {total:.0f} s.", "",
              *(x for f in files for x in (render_results(json.loads(f.read_text())), "")), f"![crop study]({a.name}_crop_study.png)", ""]
        atomic_write(out / f"{a.name}.md", "\n".join(md))
        atomic_write(out / f"{a.name}.json", json.dumps(dict(env=machine_env(), seconds=total, settings=s, crop_study={str(k): r for k, r in per_seed.items()}),
                                                       indent=1, default=float))
        print("\n".join(md)); return 0
    md, res, figs = [], {}, {}
    reuse = a.kd_only and (out / "teacher" / "last.pt").is_file() and (out / "data").is_dir()
    over = {**({"teacher_steps": a.teacher_steps} if a.teacher_steps else {}), **({"n_val": a.n_val} if a.n_val else {})}
    if reuse:
        s = dict(DEMO_SETTINGS["quick" if a.quick else "full"], **over)
        print(f"reusing the data and teacher in {out} (the teacher is not checked against --teacher-steps)")
    else:
        p = prepare_demo(out, quick=a.quick, seed=0, progress=False, **over)
        s = p["settings"]
    if a.student_steps: s = {**s, "student_steps": a.student_steps}
    if a.student: s = {**s, "student": a.student}
    if not a.kd_only:
        t0 = time.time()
        no_aug = train(demo_train_config({**s, "crop_aug": False}, out, s["teacher"], s["teacher_steps"], "teacher_no_crop_aug", 0, False))
        print(f"teacher without crop augmentation: {summarize_run(no_aug)} ({time.time() - t0:.0f} s)")
        _, val = build_datasets(DataConfig(train=str(out / "data"), size=s["size"]))
        teachers = {"teacher, crop aug": p["teacher"]["model"].eval(), "teacher, no crop aug": no_aug["model"].eval()}
        cs = crop_study(teachers, val, progress=False)
        figs["crop_study"] = render_crop_study(cs)
        crop_rows = ["| teacher | crop scale | " + " | ".join(next(iter(next(iter(cs["results"].values())).values()))) + " |",
                     "|---|---:|" + "---:|" * 4]
        crop_rows += [f"| {m} | {sc:g} | " + " | ".join(f"{v:.3f}" if v >= 0 else "—" for v in r.values()) + " |"
                      for m, per in cs["results"].items() for sc, r in per.items()]
        md += [f"Teachers ({s['teacher_steps']} steps, seed 0), AP50 global / +crops: with crop augmentation "
               f"{p['teacher']['metrics']['global']['AP50']:.3f} / {p['teacher']['metrics']['crops']['AP50']:.3f}, without "
               f"{no_aug['metrics']['global']['AP50']:.3f} / {no_aug['metrics']['crops']['AP50']:.3f}.", "",
               "## Crop scale and crop augmentation (AP50; in crops: objects wholly inside the LSM crops)", "", *crop_rows, "",
               f"![crop study]({a.name}_crop_study.png)", ""]
        res.update(crop_study=cs, teachers={k: r["metrics"] for k, r in (("crop aug", p["teacher"]), ("no crop aug", no_aug))})
    ab = kd_ablation(out, s, seeds=a.seeds, variants=variants, progress=False, train_kw=train_kw, distill_kw=distill_kw, diag_every=a.kd_diag_every)
    figs["kd_ablation"] = render_kd_ablation(ab)
    md += [f"## Which KD term carries the effect (AP50, mean ± sample SD over seeds; students {s['student_steps']} steps)", "",
           kd_ablation_table(ab), "", *other_metrics(ab), "What the crops add to each student run:", "", crop_gain_table(ab), "",
           f"![KD ablation]({a.name}_kd_ablation.png)", "", *ema_section(ab)]
    res["kd_ablation"] = ab
    for key, fig in figs.items():
        save_png(fig, out / f"{a.name}_{key}.png", 100)
        if a.images: save_png(fig, Path(a.images) / f"yolc_effect_{a.name}_{key}.png", 100)
    total = time.time() - t_start
    cmd = (f"python experiments/yolc_effect.py --seeds {' '.join(map(str, a.seeds))} --threads {a.threads}" + " --kd-only" * a.kd_only
           + " --quick" * a.quick + (f" --student-steps {a.student_steps}" if a.student_steps else "")
           + (f" --teacher-steps {a.teacher_steps}" if a.teacher_steps else "")
           + (" --variants " + " ".join(f"'{v}'" for v in a.variants) if a.variants else "") + f" --name {a.name}"
           + (f" --variant-set {a.variant_set}" if a.variant_set != "ablation" else "") + (f" --n-val {a.n_val}" if a.n_val else "")
           + (f" --student {a.student}" if a.student else "") + (f" --ema-decay {a.ema_decay}" if a.ema_decay else "") + (f" --ema-tau {a.ema_tau:g}" if a.ema_tau else "") + " --fast" * a.fast + (f" --kd-diag-every {a.kd_diag_every}" if a.kd_diag_every else ""))
    env = f"{machine_env()}, data and teachers seed 0, students seeds {a.seeds}"
    md = ["# The YOLC effect on the demo's scenes", "", f"`{cmd}`: {env}; {total:.0f} s.", "", *md]
    if a.results and "crop_study" in res:   # the full run's crop study: the demo's teacher and one without crop augmentation, seed 0
        write_crop_results(Path(a.results), a.name, {0: dict(study=res["crop_study"])}, s, cmd,
                           f"{platform.machine()} CPU ({os.cpu_count()} cores), {a.threads} torch thread(s), torch {torch.__version__}",
                           datetime.date.today().isoformat())
    atomic_write(out / f"{a.name}.md", "\n".join(md))
    atomic_write(out / f"{a.name}.json", json.dumps(dict(env=env, seconds=total, settings=s, **res), indent=1, default=float))
    print("\n".join(md))


if __name__ == "__main__":
    sys.exit(main())
