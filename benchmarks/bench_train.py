"""Training throughput (images/s) of yolc_nb.train on CPU: train and distill steps at batch 8.

Run from the repository root:  python benchmarks/bench_train.py [--size 128 --batch 8 --steps 6 --repeats 3 --threads 0]
Each repeat is a fresh `fit` run of `--steps` steps (the first step of a run is not counted: warm-up);
throughput is the median over repeats of images / (time spent in training steps), evaluation excluded.
Prints a markdown section for BENCHMARKS.md.
"""
import argparse, datetime, os, platform, statistics, tempfile
import torch
from yolc_nb.train import TrainConfig, train, distill
from yolc_nb.detector import detector_config
from yolc_nb.backbones import count_parameters
from _common import cpu_model, timed_fit


def throughput(kind, model, size, batch, steps, tmp, teacher_ckpt=None, object_scale=1.0):
    "Images/s of one run, excluding its first step."
    cfg = TrainConfig(data=dict(n_train=4 * batch, n_val=2, size=(size, size), object_scale=object_scale), model=model,
                      batch_size=batch, max_steps=steps, warmup_steps=1, out_dir=tmp, progress=False, eval_crop=False, device="cpu",
                      distill=dict(teacher_ckpt=teacher_ckpt) if teacher_ckpt else {})
    r, dts = timed_fit(distill if kind == "distill" else train, cfg)
    return batch * len(dts) / sum(dts), r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=128); ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=6); ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as t:
        tr = train(TrainConfig(data=dict(n_train=8, n_val=2, size=(a.size, a.size)), model=detector_config("teacher"), batch_size=a.batch,
                               max_steps=1, out_dir=f"{t}/teacher", progress=False, eval_crop=False, device="cpu"))
        from yolc_nb.detector import YOLCDetector
        from yolc_nb.demo import DEMO_SETTINGS, demo_model_config
        s = DEMO_SETTINGS["full"]
        models = {"student": detector_config("student"), "teacher": detector_config("teacher"),
                  "demo teacher": demo_model_config(s["teacher"], s["heatmap_upsample_num"]), "demo student": demo_model_config(s["student"], s["heatmap_upsample_num"])}
        params = {k: count_parameters(YOLCDetector(3, **m)) for k, m in models.items()}
        train(TrainConfig(data=dict(n_train=8, n_val=2, size=(a.size, a.size)), model=models["demo teacher"], batch_size=a.batch,
                          max_steps=1, out_dir=f"{t}/demo_teacher", progress=False, eval_crop=False, device="cpu"))
        for label, kind, name, teacher in (("train `student` preset", "train", "student", None), ("train `teacher` preset", "train", "teacher", None),
                                           ("distill `student` from `teacher` preset", "distill", "student", f"{t}/teacher/last.pt"),
                                           ("demo: train teacher", "train", "demo teacher", None), ("demo: train student", "train", "demo student", None),
                                           ("demo: distill student", "distill", "demo student", f"{t}/demo_teacher/last.pt")):
            ips = [throughput(kind, models[name], a.size, a.batch, a.steps, f"{t}/{kind}_{name}_{i}", teacher)[0] for i in range(a.repeats)]
            rows.append((label, params[name], statistics.median(ips), min(ips), max(ips)))
    base = rows[0][2]
    print("## train (`12_train`)\n")
    print(f"- Machine: {cpu_model()}, {os.cpu_count()} logical cores, torch threads {torch.get_num_threads()}; torch {torch.__version__}, Python {platform.python_version()}")
    print(f"- Load average (1 min) at start: {load:.2f} (a shared machine: absolute speeds vary with load; ratios are measured side by side)")
    print(f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"- Command: `python benchmarks/bench_train.py --size {a.size} --batch {a.batch} --steps {a.steps} --repeats {a.repeats}"
          f"{f' --threads {a.threads}' if a.threads else ''}` (from the repo root)")
    print(f"- Synthetic {a.size}x{a.size} images, batch {a.batch}, AdamW, flips on, CPU; each repeat is a fresh `fit` run of {a.steps} steps,"
          f" the first step not counted; median (min-max) over {a.repeats} repeats; evaluation excluded.\n")
    print("The `demo:` rows use the `yolc-nb demo` models (stride-2 heatmap; the teacher is the widened `student` preset).\n")
    print("| run | parameters | images/s (median) | min-max | relative |")
    print("|---|---:|---:|---:|---:|")
    for label, p, med, lo, hi in rows:
        print(f"| {label} | {p:,} | {med:.2f} | {lo:.2f}-{hi:.2f} | {med / base:.2f}x |")
    print()


if __name__ == "__main__": main()
