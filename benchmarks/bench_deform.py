"""The refine layer's deformable convolution: the kit's pure-torch version against torchvision's, per device.

Run from the repository root:  python benchmarks/bench_deform.py [--device cpu|cuda] [--batch 8] [--size 128] [--threads 1]
Times forward and forward + backward of a 3x3 deformable convolution 96 -> 4 channels (the HRH-SCO head's refine layer)
on a batch of stride-4 feature maps (128x128: a 512-px input), offsets from random boxes, both implementations side by
side in one run (alternating, median of repeats), checks they agree, and prints a markdown section for BENCHMARKS.md.
`yolc_nb.hrh_sco.FASTEST_DEFORM` names the faster one per device type; this script says whether that choice holds here.
"""
import argparse, datetime, os, platform, statistics, sys, time
import torch
from yolc_nb.hrh_sco import deform_conv2d_torch, box_to_dcn_offset, FASTEST_DEFORM
from _common import cpu_model


def timed(fn, device, repeats, warmup=2):
    "Median wall time (s) of `fn()` over `repeats` calls (CUDA synchronised)."
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    for _ in range(warmup): fn(); sync()
    ts = []
    for _ in range(repeats):
        sync(); t0 = time.perf_counter(); fn(); sync(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu"); ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=128); ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="torch threads on the CPU")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    try: from torchvision.ops import deform_conv2d as tv
    except Exception as e: sys.exit(f"torchvision.ops.deform_conv2d does not import here ({e}): nothing to compare")
    dev = torch.device(a.device)
    g = torch.Generator().manual_seed(0)
    feat = torch.randn(a.batch, 96, a.size, a.size, generator=g).to(dev)
    wt = (torch.randn(4, 96, 3, 3, generator=g) * 0.01).to(dev)
    off = box_to_dcn_offset(torch.rand(a.batch, 4, a.size, a.size, generator=g) * 3).to(dev)
    impls = {"kit (`deform_conv2d_torch`)": lambda x, w: deform_conv2d_torch(x, off, w, padding=1),
             "torchvision (`torchvision.ops.deform_conv2d`)": lambda x, w: tv(x, off, w, padding=(1, 1))}
    outs = [f(feat, wt) for f in impls.values()]
    diff = float((outs[0] - outs[1]).abs().max())
    assert diff < 1e-4, f"the two implementations disagree by {diff}"
    def fwd_bwd(f):
        x, w = feat.clone().requires_grad_(), wt.clone().requires_grad_()
        f(x, w).square().sum().backward()
    load = os.getloadavg()[0]
    res = {k: [[], []] for k in impls}
    for _ in range(a.repeats):                            # alternate, so both see the same load
        for k, f in impls.items():
            res[k][0].append(timed(lambda: f(feat, wt), dev, 1, warmup=1))
            res[k][1].append(timed(lambda: fwd_bwd(f), dev, 1, warmup=1))
    med = {k: (statistics.median(v[0]), statistics.median(v[1])) for k, v in res.items()}
    (kit, tvk) = list(med)
    where = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"{cpu_model()}, {a.threads} torch thread(s)"
    cmd = "python benchmarks/bench_deform.py" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:] if argv is None else argv))
    print(f"## Deformable convolution per device (`benchmarks/bench_deform.py`, {dev.type})\n")
    print(f"- Machine: {where}; {os.cpu_count()} logical cores, load average (1 min) {load:.2f} at start; torch {torch.__version__}, Python {platform.python_version()}")
    print(f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"- Command: `{cmd}` (from the repository root)")
    print(f"- What: the HRH-SCO refine layer, 3x3 deformable conv 96 -> 4 channels, batch {a.batch} of {a.size}x{a.size} maps; median of {a.repeats} alternating runs; outputs agree to {diff:.1e}\n")
    print("| implementation | forward | forward + backward |\n|---|---:|---:|")
    for k, (f, fb) in med.items(): print(f"| {k} | {f * 1e3:.1f} ms | {fb * 1e3:.1f} ms |")
    fast = "torch" if med[kit][1] < med[tvk][1] else "torchvision"
    print(f"\ntorchvision / kit: {med[tvk][0] / med[kit][0]:.1f}x (forward), {med[tvk][1] / med[kit][1]:.1f}x (forward + backward). "
          f"Faster here (training step): `{fast}`; `FASTEST_DEFORM[{dev.type!r}]` is `{FASTEST_DEFORM.get(dev.type, 'torch')}`"
          f"{' (agrees)' if FASTEST_DEFORM.get(dev.type, 'torch') == fast else ' (DISAGREES: change it)'}.\n")


if __name__ == "__main__": main()
