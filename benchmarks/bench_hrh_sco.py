"""Benchmark for `yolc_nb.hrh_sco`: heatmap-branch memory, training step time per head variant, pure-torch DCN cost,
and (with --accuracy) the centre-error experiment of `05_hrh_sco`.

Run from the repo root:  python benchmarks/bench_hrh_sco.py [--accuracy]
Prints a markdown section (machine, date, command, medians and ratios measured side by side in one run).
"""
import datetime, gc, os, platform, statistics, sys, time
import torch, torch.nn.functional as F
import yolc_nb.hrh_sco
from yolc_nb.hrh_sco import hrh_sco_targets, stack_targets, heatmap_branch_bytes, deform_conv2d_torch, box_to_dcn_offset
from yolc_nb.core import markdown_table
from functools import partial
from _common import cpu_model, median_time as _median_time, notebook_namespace
median_time = partial(_median_time, warmup=2)

torch.set_num_threads(1)
H = notebook_namespace("05_hrh_sco.ipynb", lambda src: src.startswith("# experiment harness"), dict(vars(yolc_nb.hrh_sco)))
HRH_VARIANTS, TinyDetector, make_split, run_variant, error_rows = (H[k] for k in ("HRH_VARIANTS", "TinyDetector", "make_split", "run_variant", "error_rows"))
LOAD = open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "n/a"
ACC = "--accuracy" in sys.argv

# --- 1. memory of the heatmap (+ offset) branch and training step time, batch 8 -------------------------------
B, SIZE, NC = 8, 128, 3
data = make_split(4, B, SIZE, seed=0)
images = torch.stack([d["image"] for d in data])
mem, step = {}, {}
for name, kw in HRH_VARIANTS.items():
    torch.manual_seed(0)
    model = TinyDetector(NC, **kw)
    n = model.head.heatmap_upsample_num
    tg = stack_targets([hrh_sco_targets(d["boxes"], d["labels"], NC, (SIZE // 4, SIZE // 4), heatmap_upsample_num=n) for d in data])
    opt = torch.optim.AdamW(model.parameters(), 1e-3)
    def train_step():
        ls = model.head.loss(model(images), tg)
        opt.zero_grad(); sum(ls.values()).backward(); opt.step()
    step[name] = median_time(train_step, 7)
    mem[name] = (heatmap_branch_bytes(model.head, torch.zeros(B, 32, SIZE // 4, SIZE // 4)),
                 B * heatmap_branch_bytes(model.head, torch.zeros(1, 32, 128, 128)))

# --- 2. the refine layer's deformable conv: pure torch vs an ordinary conv of the same shape --------------------
g = torch.Generator().manual_seed(0)
feat, wt = torch.randn(B, 96, 128, 128, generator=g), torch.randn(4, 96, 3, 3, generator=g) * 0.01
off = box_to_dcn_offset(torch.rand(B, 4, 128, 128, generator=g) * 3)
assert torch.allclose(deform_conv2d_torch(feat[:1], torch.zeros(1, 18, 128, 128), wt, padding=1), F.conv2d(feat[:1], wt, padding=1), atol=1e-4)
t_conv = median_time(lambda: F.conv2d(feat, wt, padding=1), 7)
t_dcn = median_time(lambda: deform_conv2d_torch(feat, off, wt, padding=1), 5)
t_cols = median_time(lambda: deform_conv2d_torch(feat, off, wt, padding=1, weights_first=False), 1, warmup=0)
assert torch.allclose(deform_conv2d_torch(feat[:1], off[:1], wt, padding=1), deform_conv2d_torch(feat[:1], off[:1], wt, padding=1, weights_first=False), atol=1e-4)
try:
    from torchvision.ops import deform_conv2d as tv_dcn
    t_tv = median_time(lambda: tv_dcn(feat, off, wt, padding=(1, 1)), 5)
except Exception: t_tv = None

# --- 3. (optional) centre-error experiment, the notebook's slow cell -----------------------------------------------
rows, t_acc = [], None
if ACC:
    t0 = time.perf_counter()
    train_set, test_set = make_split(48, 384, 96, seed=0), make_split(8, 64, 96, seed=100)
    for name in HRH_VARIANTS:
        model, hist, dec, ce = run_variant(name, train_set, test_set, steps=400, progress=False)
        rows += error_rows(name, ce)
    t_acc = time.perf_counter() - t0

# --- report ---------------------------------------------------------------------------------------------------
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
base = "YOLC baseline"
print("## hrh_sco (`05_hrh_sco`)\n")
print(f"- Machine: {cpu_model()}, {os.cpu_count()} logical cores (torch.set_num_threads(1)); torch {torch.__version__}, Python {platform.python_version()}")
print(f"- Load average (1 min) at start: {LOAD} (a shared machine: absolute times vary with load, ratios are measured side by side)")
print(f"- Date: {now}")
print(f"- Command: `python benchmarks/bench_hrh_sco.py{' --accuracy' if ACC else ''}` (from the repo root)")
print("- Model: `TinyDetector` (4-layer stride-4 CNN, 32 channels) + `HRHSCOHead`, 3 classes; CPU only.\n")
print(f"### Heatmap (+ offset) branch memory and training step, batch {B}\n")
print("Memory: bytes of every conv / norm output of the heatmap and offset branches in one forward pass (what autograd keeps), "
      f"deterministic. Step: forward + the four losses + backward + AdamW step at {SIZE}x{SIZE}, median of 7.\n")
print(f"| variant | heatmap stride | branch memory, {SIZE} px | branch memory, 512 px | vs baseline (512 px) | train step, {SIZE} px | vs baseline |")
print("|---|---|---|---|---|---|---|")
for name, kw in HRH_VARIANTS.items():
    s = 4 / 2 ** kw.get("heatmap_upsample_num", 2)
    print(f"| {name} | {s:g} | {mem[name][0] / 2**20:.1f} MiB | {mem[name][1] / 2**20:.0f} MiB | {mem[name][1] / mem[base][1]:.2f}x "
          f"| {step[name] * 1e3:.0f} ms | {step[name] / step[base]:.2f}x |")
print(f"\n### Refine layer: 3x3 deformable conv, 96 -> 4 channels, {B}x128x128 (a 512-px input at stride 4)\n")
print("| implementation | median | ratio |\n|---|---|---|")
print(f"| `F.conv2d` (same shape, no offsets; the floor) | {t_conv * 1e3:.1f} ms | 1.00x |")
print(f"| `deform_conv2d_torch`, columns (gather all 96 input channels at 9 points, then contract) | {t_cols * 1e3:.0f} ms (1 run) | {t_cols / t_conv:.1f}x the floor |")
print(f"| `deform_conv2d_torch`, weights first (default when Cout < Cin: 1x1 conv to 9x4 channels, then gather) | {t_dcn * 1e3:.1f} ms | {t_dcn / t_conv:.1f}x the floor, {t_cols / t_dcn:.0f}x faster than columns |")
print(f"| `torchvision.ops.deform_conv2d` | {'%.1f ms' % (t_tv * 1e3) if t_tv else 'skipped: torchvision not importable'} | {'%.1fx' % (t_tv / t_conv) if t_tv else 'n/a'} |")
if ACC:
    print(f"\n### Centre error (px) on 64 unseen 96x96 crops, 400 training steps per variant, batch 8 ({t_acc / 60:.1f} min in all)\n")
    print("Recall: share of true objects matched by a detection (score >= 0.1, same class, peak cell within max(4, 2s) px); "
          "errors over matched objects; per-class columns are means (AI-TOD classes by sqrt(area)).\n")
    print(markdown_table(rows, ["variant", "decoding", "recall", "mean", "p90", "very_tiny", "tiny", "small", "medium"], fmt="{:.2f}"))
