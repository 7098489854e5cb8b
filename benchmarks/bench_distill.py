"""One distillation step of the demo (teacher and student of `yolc-nb demo`, batch 8 of 128x128 scenes), with and without the
speed options: `TrainConfig.channels_last` (models and images in channels-last memory) and `DistillConfig.fold_teacher_bn`
(the frozen teacher's batch norms folded into its convolutions).

    python benchmarks/bench_distill.py [--repeats 8] [--threads 1]

Each configuration trains its own copy of the same student from the same weights; the step (forward_train, backward,
AdamW step) is timed in rounds that alternate the configurations, and the first step's losses are compared with the
plain configuration's (equal up to float rounding). With both options off the code path is the kit's default, the one
every earlier commit ran (checked bitwise equal to them for training). Prints a markdown table for BENCHMARKS.md.
"""
import argparse, copy, datetime, platform, statistics, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import cpu_model


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=8, help="timed rounds (each runs every configuration once)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    a = p.parse_args(argv)
    import torch
    torch.set_num_threads(a.threads)
    from yolc_nb.detector import YOLCDetector, DistillDetector
    from yolc_nb.config import DistillConfig
    from yolc_nb.demo import DEMO_SETTINGS, demo_model_config
    from yolc_nb.data import SyntheticAerial, collate
    s = DEMO_SETTINGS["full"]
    torch.manual_seed(0)
    teacher = YOLCDetector(3, **demo_model_config(s["teacher"], s["heatmap_upsample_num"]))
    student = YOLCDetector(3, **demo_model_config(s["student"], s["heatmap_upsample_num"]))
    with torch.no_grad():                                    # a teacher with running statistics of its own, as a trained one has
        teacher.train()
        for i in range(3): teacher(torch.rand(4, 3, 128, 128, generator=torch.Generator().manual_seed(i)))
    ds = SyntheticAerial(8, size=(128, 128), num_classes=3, seed=0, object_scale=s["object_scale"])
    b = collate([ds[i] for i in range(8)])

    def make(channels_last, fold):
        dd = DistillDetector(copy.deepcopy(student), copy.deepcopy(teacher), DistillConfig(fold_teacher_bn=fold))
        if channels_last: dd.to(memory_format=torch.channels_last)
        dd.train()
        opt = torch.optim.AdamW([q for q in dd.parameters() if q.requires_grad], 1e-3)
        img = b["image"].contiguous(memory_format=torch.channels_last) if channels_last else b["image"]
        def step():
            losses = dd.forward_train(img, b["meta"], b["boxes"], b["labels"])
            loss = sum(losses.values())
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
            return {k: float(v.detach()) for k, v in losses.items()}
        return step

    configs = {"default": (False, False), "channels_last": (True, False), "fold_teacher_bn": (False, True), "both": (True, True)}
    steps = {k: make(*v) for k, v in configs.items()}
    first = {k: f() for k, f in steps.items()}               # the first step of each: the same weights, the same batch
    worst = max(abs(first[k][n] - first["default"][n]) / max(abs(first["default"][n]), 1e-12) for k in first for n in first[k])
    for f in steps.values(): f()                             # warm-up
    times = {k: [] for k in steps}
    for _ in range(a.repeats):
        for k, f in steps.items():
            t0 = time.perf_counter(); f(); times[k].append(time.perf_counter() - t0)
    base = statistics.median(times["default"])
    print(f"{datetime.date.today()}, {cpu_model()}, {a.threads} torch thread(s), torch {torch.__version__}, Python {platform.python_version()}; "
          f"`python benchmarks/bench_distill.py --repeats {a.repeats} --threads {a.threads}`; largest relative loss difference at the first step: {worst:.1e}")
    print("\n| configuration | step (median, s) | min | max | speed-up vs default |\n|---|---:|---:|---:|---:|")
    for k, v in times.items():
        m = statistics.median(v)
        print(f"| {k} | {m:.3f} | {min(v):.3f} | {max(v):.3f} | {base / m:.2f}x |")
    return 0


if __name__ == "__main__": sys.exit(main())
