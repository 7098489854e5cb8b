"""Training on a GPU at YOLC's resolution: images/s and peak GPU memory of every detector preset; the deformable convolution per backend.

Run from the repository root, on a machine with a CUDA GPU:  python benchmarks/bench_gpu.py
(defaults: 1024x640 training crops from 1920x1088 VisDrone-layout JPEGs, batch 8, AMP, crop augmentation, 4 loader workers,
30 steps per preset: `student`, `teacher`, `hrnet_w18_small`, `hrnet_w18`, `yolc`, random weights; a few minutes on one recent
GPU), then `benchmarks/bench_deform.py` on the same GPU. `--device cpu --steps 3 --train-size 128 192 --image-size 272 480
--presets student` checks the script itself on a CPU.

Writes a synthetic VisDrone-layout folder (`write_synthetic(..., format="visdrone")`) to a temporary folder, trains each preset with
`yolc_nb.train.train` as `yolc-nb train` would (the kit's loader, transforms and training loop), and reports the median
images/s over the steps after the first `--warmup` (a step: forward, backward, optimizer step, logging, waiting for the next
batch) and the peak GPU memory PyTorch allocated (`torch.cuda.max_memory_allocated`) and reserved. Prints a markdown section
for BENCHMARKS.md.
"""
import argparse, datetime, os, platform, statistics, sys, tempfile
import torch
from yolc_nb.data import write_synthetic
from yolc_nb.detector import detector_config, YOLCDetector
from yolc_nb.backbones import count_parameters
from yolc_nb.train import TrainConfig, train
from _common import cpu_model, timed_fit


def run_preset(preset, root, a, out):
    "Images/s (median over steps after the warm-up) and peak memory (GiB allocated, reserved; None on a CPU) of one training run."
    cuda = a.device.startswith("cuda")
    if cuda: torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
    cfg = TrainConfig(data=dict(train=f"visdrone:{root}/train", val=None, train_size=tuple(a.train_size), crop_aug=True),
                      model=detector_config(preset), batch_size=a.batch, max_steps=a.steps, warmup_steps=1, optimizer="sgd",
                      lr=0.0025, amp=a.amp, eval_every=0, eval_crop=False, num_workers=a.workers, out_dir=out, progress=False,
                      device=a.device, save_every=a.steps + 1)
    r, dts = timed_fit(train, cfg)
    dts = dts[a.warmup:] or dts
    mem = (torch.cuda.max_memory_allocated() / 2**30, torch.cuda.max_memory_reserved() / 2**30) if cuda else None
    return a.batch / statistics.median(dts), a.batch * len(dts) / sum(dts), mem, r["history"][-1]["loss"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda", help="cuda, cuda:N or cpu (cpu: to check the script)")
    ap.add_argument("--presets", nargs="+", default=["student", "teacher", "hrnet_w18_small", "hrnet_w18", "yolc"])
    ap.add_argument("--train-size", type=int, nargs=2, default=[640, 1024], metavar=("H", "W"))
    ap.add_argument("--image-size", type=int, nargs=2, default=[1088, 1920], metavar=("H", "W"))
    ap.add_argument("--images", type=int, default=64, help="training images written (each epoch shows them twice: crop augmentation)")
    ap.add_argument("--batch", type=int, default=8); ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5, help="steps not counted after the first (cuDNN autotuning, allocator growth)")
    ap.add_argument("--workers", type=int, default=4); ap.add_argument("--no-amp", dest="amp", action="store_false")
    a = ap.parse_args(argv)
    if a.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit(f"--device {a.device}: no CUDA GPU here (torch {torch.__version__}); run with --device cpu to check the script")
    gpu = torch.cuda.get_device_name(torch.device(a.device)) if a.device.startswith("cuda") else "none (CPU run)"
    rows = []
    with tempfile.TemporaryDirectory() as t:
        write_synthetic(f"{t}/vd", n_train=a.images, n_val=1, size=tuple(a.image_size), progress=False, format="visdrone")
        for p in a.presets:
            params = count_parameters(YOLCDetector(10, **detector_config(p)))
            rows.append((p, params, *run_preset(p, f"{t}/vd", a, f"{t}/run_{p}")))
    cmd = "python benchmarks/bench_gpu.py" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:] if argv is None else argv))
    print("## Training on a GPU at YOLC's resolution (`benchmarks/bench_gpu.py`)\n")
    print(f"- Machine: GPU {gpu}; CPU {cpu_model()}, {os.cpu_count()} logical cores; torch {torch.__version__}, CUDA {torch.version.cuda}, Python {platform.python_version()}")
    print(f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"- Command: `{cmd}` (from the repository root)")
    print(f"- What: `train` on {a.images} synthetic {a.image_size[1]}x{a.image_size[0]} VisDrone-layout JPEGs (10 classes), {a.train_size[1]}x{a.train_size[0]} "
          f"training crops with YOLC's transforms and crop augmentation, batch {a.batch}, {'AMP' if a.amp and a.device.startswith('cuda') else 'fp32'}, SGD, {a.workers} loader workers; "
          f"{a.steps} steps per preset, the first {a.warmup + 1} not counted. A step includes waiting for the loader.\n")
    print("| preset | parameters | images/s (median step) | images/s (mean over steps) | peak GPU memory allocated | reserved | last loss |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for p, params, med, mean, mem, loss in rows:
        m = ("-", "-") if mem is None else (f"{mem[0]:.2f} GiB", f"{mem[1]:.2f} GiB")
        print(f"| `{p}` | {params:,} | {med:.1f} | {mean:.1f} | {m[0]} | {m[1]} | {loss:.3f} |")
    print()
    if a.device.startswith("cuda"):                      # which deformable convolution is faster on this GPU (FASTEST_DEFORM["cuda"])
        import bench_deform
        bench_deform.main(["--device", a.device])


if __name__ == "__main__": main()
