"""The distillation study at VisDrone's resolution on one GPU: a `yolc` teacher, `hrnet_w18_small` students per seed and KD variant, paired against 'no KD'.

Writes synthetic scenes in the VisDrone2019-DET layout (`write_synthetic(..., format="visdrone")`, 1920x1088 JPEGs, 10 classes)
to a temporary folder, trains the teacher (preset `yolc`: HRNetV2-W48 + HRFPN + YOLC's head) with `yolc_nb.train.train`, then
one student (preset `hrnet_w18_small`) per seed and KD variant (`yolc_nb.demo.STUDY_VARIANTS`; 'no KD' is plain `train`, the
others `distill` with the teacher's `last.pt` as `teacher_ckpt` and the variant's `DistillConfig` overrides, as `kd_ablation`
builds them). Training uses (640, 1024) crops (H, W: YOLC's 1024x640 crops turned to landscape, see nbs/11_augment) with
YOLC's transforms and crop augmentation, AMP, AdamW; every run is scored on the validation scenes, global pass and global +
crops (`eval_crop`, pycocotools, AI-TOD size ranges). Random weights throughout (the presets keep `pretrained=False`),
so the run needs no network access.

Prints and writes `--out`/report.md and report.json (atomically, after every run, so a killed run leaves what finished):
the machine, date, exact command, settings, seconds per run, and per metric (AP50, AP_vt) the kit's `kd_ablation_table`:
mean ± SD over seeds, global and +crops, and the paired difference to 'no KD' (+crops) with its 95% t interval
(`paired_summary`). Checkpoints and data stay in the temporary folder and are deleted at the end.

Time guard: before each student run the script estimates its seconds from the runs so far (the slowest finished run of the
same variant; else of any distilled run for a distilled one; else the teacher's seconds scaled by the step ratio, at least the
slowest finished student run) and stops when the run would end past `--budget-s` seconds after the script started; the
report then says so, and pairs only the seeds where every variant finished.

The GPU run, sized for about 8 minutes on one NVIDIA H100 (from the repository root):

    python experiments/kd_study_gpu.py --out runs/kd_study_gpu

Its defaults (64 training + 32 validation scenes, teacher 300 steps, students 200 steps, batch 8, 8 loader workers, seeds
0 1 2, variants 'no KD' and 'acting forms (default)', budget 450 s) are ESTIMATES, not measurements: no GPU throughput of these presets
was measured yet (BENCHMARKS.md, `benchmarks/bench_gpu.py`: "not measured yet"). Assumed at (640, 1024), batch 8, AMP: `yolc`
about 40 training images/s, `hrnet_w18_small` about 80, a distilled student about 40 (the teacher's forward and the KD crops
added); so data ~15 s, teacher ~75 s (with its evaluation), a plain student ~30 s, a distilled one ~50 s, 3 seeds ~240 s:
about 340 s in all. Where the GPU is slower the time guard drops the last seeds rather than overrun.

The CPU check of the script itself (a few minutes on one busy core; numbers meaningless):

    OMP_NUM_THREADS=1 python experiments/kd_study_gpu.py --device cpu --image-size 272 480 --train-size 128 192 --n-train 4 --n-val 2 --teacher-steps 2 --student-steps 2 --seeds 0 1 --batch 2 --teacher student --student tiny --workers 0 --out runs/kd_study_cpu_check
"""
import time
T_START = time.monotonic()          # the time guard counts from here (imports included)
import argparse, datetime, json, os, platform, shlex, sys, tempfile
from pathlib import Path

METRICS = ("AP50", "AP_vt")         # keys of the kit's metrics dicts (`coco_metrics`, AI-TOD ranges)
BASE = "no KD"


def parse_args(argv=None):
    from yolc_nb.demo import STUDY_VARIANTS
    from yolc_nb.detector import DETECTOR_CONFIGS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="runs/kd_study_gpu", help="folder of report.md and report.json (created)")
    ap.add_argument("--device", default="cuda", help="cuda, cuda:N or cpu (cpu: to check the script)")
    ap.add_argument("--teacher", default="yolc", help="the teacher's detector preset (default yolc)")
    ap.add_argument("--student", default="hrnet_w18_small", help="the students' detector preset (default hrnet_w18_small)")
    ap.add_argument("--variants", nargs="+", default=[BASE, "acting forms (default)"], help=f"KD variants, names of STUDY_VARIANTS: {list(STUDY_VARIANTS)}")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="student seeds (data and teacher: seed 0)")
    ap.add_argument("--teacher-steps", type=int, default=300)
    ap.add_argument("--student-steps", type=int, default=200)
    ap.add_argument("--n-train", type=int, default=64, help="synthetic training scenes (crop augmentation shows each twice an epoch)")
    ap.add_argument("--n-val", type=int, default=32, help="synthetic validation scenes")
    ap.add_argument("--image-size", type=int, nargs=2, default=[1088, 1920], metavar=("H", "W"), help="scene size (VisDrone's 1080 1920, padded to a multiple of 32)")
    ap.add_argument("--train-size", type=int, nargs=2, default=[640, 1024], metavar=("H", "W"), help="training crops (the kit's recipes: 640 1024; YOLC's 1024x640 turned to landscape)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--workers", type=int, default=8, help="loader processes")
    ap.add_argument("--lr", type=float, default=2e-3, help="AdamW learning rate (TrainConfig's default)")
    ap.add_argument("--no-amp", dest="amp", action="store_false", help="fp32 training (AMP is on by default; used on CUDA only)")
    ap.add_argument("--ema-decay", type=float, default=None, help="keep and score an EMA of each student's weights")
    ap.add_argument("--channels-last", action="store_true", help="channels-last memory in the students' runs")
    ap.add_argument("--fold-teacher-bn", action="store_true", help="fold the frozen teacher's batch norms (distilled runs)")
    ap.add_argument("--budget-s", type=float, default=450., help="seconds from the start after which no student run may end (estimated)")
    a = ap.parse_args(argv)
    for f in ("teacher_steps", "student_steps", "n_train", "n_val", "batch"):
        if getattr(a, f) < 1: ap.error(f"--{f.replace('_', '-')} must be a positive integer; got {getattr(a, f)}")
    if a.workers < 0: ap.error(f"--workers must be >= 0; got {a.workers}")
    for f in ("image_size", "train_size"):
        if min(getattr(a, f)) < 32: ap.error(f"--{f.replace('_', '-')} must be two sizes >= 32 (H W); got {getattr(a, f)}")
    if len(set(a.seeds)) != len(a.seeds) or min(a.seeds) < 0: ap.error(f"--seeds must be distinct integers >= 0; got {a.seeds}")
    if bad := [v for v in a.variants if v not in STUDY_VARIANTS]: ap.error(f"--variants: unknown {bad}; known: {list(STUDY_VARIANTS)}")
    if len(set(a.variants)) != len(a.variants): ap.error(f"--variants must be distinct; got {a.variants}")
    if BASE not in a.variants: ap.error(f"--variants must include {BASE!r} (the paired baseline); got {a.variants}")
    for f in ("teacher", "student"):
        if getattr(a, f) not in DETECTOR_CONFIGS: ap.error(f"--{f}: unknown preset {getattr(a, f)!r}; known: {sorted(DETECTOR_CONFIGS)}")
    if not a.lr > 0: ap.error(f"--lr must be > 0; got {a.lr}")
    if a.ema_decay is not None and not 0 < a.ema_decay < 1: ap.error(f"--ema-decay must be in (0, 1); got {a.ema_decay}")
    if not a.budget_s > 0: ap.error(f"--budget-s must be > 0; got {a.budget_s}")
    from yolc_nb.core import device_form_error
    if device_form_error(a.device) is not None or a.device == "auto": ap.error(f"--device must be cpu, cuda or cuda:N; got {a.device!r}")
    a.variants = [BASE] + [v for v in a.variants if v != BASE]     # the baseline first in each seed
    return a


def estimate_s(v, runs, teacher_s, a):
    "Seconds the next run of variant `v` is expected to take, from the runs so far (see the module's docstring)."
    same = [r["seconds"] for r in runs if r["variant"] == v]
    if same: return max(same)
    kd = [r["seconds"] for r in runs if r["variant"] != BASE]
    if v != BASE and kd: return max(kd)
    return max([teacher_s * a.student_steps / a.teacher_steps] + [r["seconds"] for r in runs])


def paired_result(runs, a):
    "A `kd_ablation`-shaped result over the seeds where every variant finished: dict(metrics={variant: [per seed]}, seeds=[...])."
    done = {(r["seed"], r["variant"]): r["metrics"] for r in runs}
    seeds = [s for s in a.seeds if all((s, v) in done for v in a.variants)]
    return dict(metrics={v: [done[(s, v)] for s in seeds] for v in a.variants}, seeds=seeds)


def write_report(out, a, env, cmd, timings, teacher, runs, stop, final):
    "report.md and report.json under `out` (atomically); returns the markdown."
    import numpy as np
    from yolc_nb.core import atomic_write
    from yolc_nb.demo import kd_ablation_table, paired_summary
    res = paired_result(runs, a)
    total = time.monotonic() - T_START
    md = [f"# The distillation study at YOLC's resolution (`experiments/kd_study_gpu.py`){'' if final else ' (IN PROGRESS)'}", "",
          f"- Machine: {env['machine']}", f"- Date: {env['date']}", f"- Command: `{cmd}` (from the repository root)",
          f"- Data: {a.n_train} training + {a.n_val} validation synthetic {a.image_size[1]}x{a.image_size[0]} VisDrone-layout JPEGs (10 classes), "
          f"training crops {a.train_size[1]}x{a.train_size[0]} with YOLC's transforms and crop augmentation; data and teacher seed 0",
          f"- Teacher: `{a.teacher}` preset, {a.teacher_steps} steps; students: `{a.student}` preset, {a.student_steps} steps each; random initial weights",
          f"- Training: batch {a.batch}, AdamW lr {a.lr:g}, warm-up {min(20, a.student_steps // 5)} steps (teacher {min(20, a.teacher_steps // 5)}), "
          f"{'AMP' if a.amp and a.device.startswith('cuda') else 'fp32'}, {a.workers} loader workers, device {a.device}"
          + (f", EMA {a.ema_decay:g} (scores are the EMA's)" if a.ema_decay else "") + (", channels-last" if a.channels_last else "")
          + (", teacher batch norms folded" if a.fold_teacher_bn else ""),
          f"- Variants (`STUDY_VARIANTS`): {', '.join(a.variants)}; seeds {a.seeds}; time budget {a.budget_s:g} s",
          f"- Evaluation: each run's final weights on the {a.n_val} validation scenes, global pass and global + crops, pycocotools, "
          "AI-TOD size ranges (AP_vt: objects under 8 px)",
          f"- Time: {total:.0f} s in all (the budget counts from the script's start); " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
          + f", {len(runs)} student run(s) {sum(r['seconds'] for r in runs):.0f} s (each below)"
          + (f"; peak GPU memory allocated {env['peak_gpu_memory_gib']:.2f} GiB" if "peak_gpu_memory_gib" in env else ""), ""]
    if teacher is not None:
        m = teacher["metrics"]
        md += [f"Teacher ({teacher['parameters']:,} parameters): AP50 {m['global']['AP50']:.3f} global, {m['crops']['AP50']:.3f} +crops; "
               f"AP_vt {m['global']['AP_vt']:.3f} / {m['crops']['AP_vt']:.3f}; {teacher['images_per_s']:.1f} training img/s; {teacher['seconds']:.0f} s.", ""]
    if stop: md += [f"**Stopped by the time guard**: {stop}", ""]
    elif not final: md += ["**In progress** (or killed): this report holds the runs that finished so far.", ""]
    if res["seeds"]:
        for k in METRICS:
            md += [f"## {k}: mean ± sample SD over seeds {res['seeds']}, paired difference to '{BASE}' (+crops), 95% t interval", "",
                   kd_ablation_table(res, metric=k, base=BASE), ""]
    else: md += ["No seed finished every variant: no paired comparison.", ""]
    unpaired = sorted({r["seed"] for r in runs} - set(res["seeds"]))
    md += ["## Runs", "", "| seed | variant | seconds | train img/s | AP50 global | AP50 +crops | AP_vt global | AP_vt +crops | paired |",
           "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    md += [f"| {r['seed']} | {r['variant']} | {r['seconds']:.1f} | {r['images_per_s']:.1f} | {r['metrics']['global']['AP50']:.3f} | "
           f"{r['metrics']['crops']['AP50']:.3f} | {r['metrics']['global']['AP_vt']:.3f} | {r['metrics']['crops']['AP_vt']:.3f} | "
           f"{'yes' if r['seed'] in res['seeds'] else 'no (seed incomplete)'} |" for r in runs]
    if unpaired: md += ["", f"Seeds {unpaired} did not finish every variant: their runs are listed but not paired."]
    md.append("")
    base = {k: np.array([m["crops"][k] for m in res["metrics"][BASE]]) for k in METRICS}
    summary = {k: {v: paired_summary(np.array([m["crops"][k] for m in ms]) - base[k]) for v, ms in res["metrics"].items() if v != BASE}
               for k in METRICS} if res["seeds"] else {}
    text = "\n".join(md)
    atomic_write(Path(out) / "report.md", text)
    atomic_write(Path(out) / "report.json", json.dumps(dict(
        final=final, stopped=stop, env=env, command=cmd, settings=vars(a), seconds=total, timings=timings,
        teacher=teacher, runs=runs, kd_ablation=res, paired_crops=summary), indent=1, default=float))
    return text


def main(argv=None):
    a = parse_args(argv)
    import torch
    if a.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit(f"--device {a.device}: no CUDA GPU here (torch {torch.__version__}); run with --device cpu to check the script")
    from yolc_nb.data import write_synthetic
    from yolc_nb.detector import detector_config
    from yolc_nb.demo import STUDY_VARIANTS
    from yolc_nb.backbones import count_parameters
    from yolc_nb.train import TrainConfig, train, distill, summarize_run
    out = Path(a.out)
    if out.exists() and not out.is_dir(): sys.exit(f"--out must be a folder; {out} is a file")
    cuda = a.device.startswith("cuda")
    gpu = torch.cuda.get_device_name(torch.device(a.device)) if cuda else "none (CPU run)"
    try:
        sys.path.append(str(Path(__file__).resolve().parents[1] / "benchmarks")); from _common import cpu_model
    except ImportError: cpu_model = platform.processor
    env = dict(machine=f"GPU {gpu}; CPU {cpu_model()}, {os.cpu_count()} logical cores; torch {torch.__version__} "
                       f"({torch.get_num_threads()} thread(s)), CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, Python {platform.python_version()}",
               date=f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC", gpu=gpu, torch=torch.__version__, cuda=torch.version.cuda)
    cmd = "python experiments/kd_study_gpu.py" + ("" if not (args := sys.argv[1:] if argv is None else list(argv)) else " " + shlex.join(args))
    timings, runs, teacher, stop = {}, [], None, None
    train_kw = {**({"ema_decay": a.ema_decay} if a.ema_decay else {}), **({"channels_last": True} if a.channels_last else {})}
    distill_kw = {"fold_teacher_bn": True} if a.fold_teacher_bn else {}
    report = lambda final=False: write_report(out, a, env, cmd, timings, teacher, runs, stop, final)

    with tempfile.TemporaryDirectory(prefix="kd_study_gpu_") as tmp:
        root = Path(tmp) / "vd"
        t0 = time.monotonic()
        s = write_synthetic(root, n_train=a.n_train, n_val=a.n_val, size=tuple(a.image_size), progress=False, format="visdrone")
        timings["data"] = time.monotonic() - t0
        print(f"data: {s['train']['images']} + {s['val']['images']} scenes, {s['train']['boxes']} + {s['val']['boxes']} boxes ({timings['data']:.0f} s)", flush=True)

        def config(preset, steps, name, seed, **kw):
            return TrainConfig(data=dict(train=f"visdrone:{root}/train", val=f"visdrone:{root}/val", train_size=tuple(a.train_size), crop_aug=True),
                               model=detector_config(preset), batch_size=a.batch, max_steps=steps, warmup_steps=min(20, steps // 5), lr=a.lr,
                               amp=a.amp, eval_every=0, eval_crop=True, num_workers=a.workers, out_dir=str(Path(tmp) / name),
                               progress=False, device=a.device, seed=seed, overwrite=True, **kw)

        t0 = time.monotonic()
        r = train(config(a.teacher, a.teacher_steps, "teacher", 0))
        timings["teacher"] = time.monotonic() - t0
        teacher = dict(preset=a.teacher, seconds=timings["teacher"], metrics=r["metrics"], images_per_s=r["images_per_s"],
                       parameters=count_parameters(r["raw_model"]))
        ckpt = str(r["checkpoint"])
        print(f"teacher: {summarize_run(r)} ({timings['teacher']:.0f} s)", flush=True)
        del r
        report()
        for seed in a.seeds:
            for v in a.variants:
                est, used = estimate_s(v, runs, timings["teacher"], a), time.monotonic() - T_START
                if used + est > a.budget_s:
                    stop = (f"before seed {seed}, '{v}': {used:.1f} s used, the run estimated at {est:.1f} s, "
                            f"{a.budget_s - used:.1f} s left of --budget-s {a.budget_s:g}; the runs below are all that finished.")
                    print(f"time guard: stopping {stop}", flush=True)
                    break
                name, w = f"seed{seed}_" + v.replace(" ", "_"), STUDY_VARIANTS[v]
                t0 = time.monotonic()
                if w is None: r = train(config(a.student, a.student_steps, name, seed, **train_kw))
                else: r = distill(config(a.student, a.student_steps, name, seed, **train_kw, distill={**distill_kw, "teacher_ckpt": ckpt, **w}))
                runs.append(dict(seed=seed, variant=v, seconds=time.monotonic() - t0, metrics=r["metrics"], images_per_s=r["images_per_s"]))
                del r
                m = runs[-1]["metrics"]
                print(f"seed {seed}, {v}: AP50 {m['global']['AP50']:.3f} global, {m['crops']['AP50']:.3f} +crops; AP_vt {m['crops']['AP_vt']:.3f} +crops "
                      f"({runs[-1]['seconds']:.0f} s, estimated {est:.0f} s)", flush=True)
                report()
            if stop: break
        if cuda: env["peak_gpu_memory_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    print(report(final=True))
    print(f"-> {out / 'report.md'}, {out / 'report.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
