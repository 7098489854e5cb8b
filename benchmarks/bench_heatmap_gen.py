"""Benchmark for `yolc_nb.heatmap_gen`: keypoint heatmaps, CenterNet targets, DARK accuracy.

Run from the repo root:  python benchmarks/bench_heatmap_gen.py
Prints a markdown section (machine, date, command, medians and ratios measured side by side in one run).
"""
import datetime, gc, os, platform, statistics, sys, time
import torch
from yolc_nb.heatmap_gen import (generate_heatmap_batch, centernet_targets_batch, gaussian_radius, draw_gaussian,
                                 peak_error_study)
from _common import cpu_model, median_time

torch.set_num_threads(1)
LOAD = open("/proc/loadavg").read().split()[0] if os.path.exists("/proc/loadavg") else "n/a"

# --- 1. keypoint heatmaps: seed double loop vs vectorised vs the allocation floor -------------------------------
def seed_loop(kp, H, W, sigma=2.0):
    "The seed design's generate_heatmap_batch: a Python double loop over images and keypoints."
    B, K, _ = kp.shape
    out = torch.zeros(B, K, H, W)
    ys, xs = torch.meshgrid(torch.arange(H).float(), torch.arange(W).float(), indexing="ij")
    for b in range(B):
        for k in range(K):
            x, y = kp[b, k]
            out[b, k] = torch.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (2 * sigma ** 2))
    return out

B, K, H, W = 8, 20, 512, 512
kp = torch.rand(B, K, 2, generator=torch.Generator().manual_seed(0)) * torch.tensor([W - 1., H - 1.])
assert torch.allclose(generate_heatmap_batch(kp[:1, :3], H, W), seed_loop(kp[:1, :3], H, W), atol=1e-6)
t_floor = median_time(lambda: torch.empty(B, K, H, W).fill_(1.), 7)
t_fast = median_time(lambda: generate_heatmap_batch(kp, H, W, 2.0), 7)
t_seed = median_time(lambda: seed_loop(kp, H, W, 2.0), 3)

# --- 2. CenterNet targets: per-object loop vs vectorised ------------------------------------------------------
def targets_loop(boxes, labels, num_classes, output_size, down_ratio=4, min_overlap=0.3):
    "Per-object reference (as CenterNet's ctdet data set), one image."
    oh, ow = output_size
    n = len(boxes)
    hm = torch.zeros(num_classes, oh, ow)
    wh, off = torch.zeros(n, 2), torch.zeros(n, 2)
    ind, mask = torch.zeros(n, dtype=torch.long), torch.zeros(n)
    for i in range(n):
        b = boxes[i].float() / down_ratio
        x1, x2 = b[[0, 2]].clamp(0, ow - 1)
        y1, y2 = b[[1, 3]].clamp(0, oh - 1)
        w, h = x2 - x1, y2 - y1
        if w > 0 and h > 0:
            r = max(0, int(gaussian_radius((float(h), float(w)), min_overlap)))
            ct = torch.stack([(x1 + x2) / 2, (y1 + y2) / 2])
            ci = ct.long()
            draw_gaussian(hm[int(labels[i])], ci, r)
            wh[i] = torch.stack([w, h]); off[i] = ct - ci
            ind[i] = ci[1] * ow + ci[0]; mask[i] = 1
    return dict(heatmap=hm, wh=wh, offset=off, ind=ind, mask=mask)

NI, NO, NC, OUT = 8, 500, 10, (160, 256)
g = torch.Generator().manual_seed(1)
scenes = []
for _ in range(NI):   # VisDrone-like sizes: log-normal around 23 px, in a 640 x 1024 input
    c = torch.rand(NO, 2, generator=g) * torch.tensor([1024., 640.])
    s = torch.exp(torch.randn(NO, 2, generator=g) * 0.6 + 3.1)
    scenes.append((torch.cat([c - s / 2, c + s / 2], -1), torch.randint(0, NC, (NO,), generator=g)))
fast = centernet_targets_batch([s[0] for s in scenes], [s[1] for s in scenes], NC, OUT)
for i, (bx, lb) in enumerate(scenes):
    ref = targets_loop(bx, lb, NC, OUT)
    for key in ref: assert torch.equal(fast[key][i], ref[key]), key
t_ct_fast = median_time(lambda: centernet_targets_batch([s[0] for s in scenes], [s[1] for s in scenes], NC, OUT), 7)
t_ct_loop = median_time(lambda: [targets_loop(bx, lb, NC, OUT) for bx, lb in scenes], 3)

# --- 3. DARK accuracy on 1,000 unbiased Gaussians -------------------------------------------------------------
t0 = time.perf_counter()
st = peak_error_study(1000, size=(64, 64), sigma=(1.0, 3.0), margin=8, kernel=11, seed=0)
t_study = time.perf_counter() - t0

# --- report ---------------------------------------------------------------------------------------------------
ms = lambda t: f"{1000 * t:.1f} ms"
print(f"""
## heatmap_gen (`04_heatmap_gen`)

- Machine: {cpu_model()}, {os.cpu_count()} logical cores (torch.set_num_threads(1)); torch {torch.__version__}, Python {platform.python_version()}
- Load average (1 min) at start: {LOAD} (a shared machine: absolute times vary with load, ratios are measured side by side)
- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}
- Command: `python benchmarks/bench_heatmap_gen.py` (from the repo root)
- Timings are medians (7 repeats; 3 for the Python loops), all measured in the same run.

### Keypoint heatmaps, B={B}, K={K}, {H}x{W}, sigma=2, CPU

| method | median | ratio |
|---|---|---|
| floor: `torch.empty(B, K, H, W).fill_(1.)` | {ms(t_floor)} | 1.00x |
| `generate_heatmap_batch` (separable outer product) | {ms(t_fast)} | {t_fast / t_floor:.2f}x the floor |
| seed design (double loop over B and K) | {ms(t_seed)} | {t_seed / t_fast:.1f}x slower than `generate_heatmap_batch` |

Goals: within 1.5x of the floor ({'met' if t_fast / t_floor <= 1.5 else 'NOT met'}); at least 5x faster than the seed loop ({'met' if t_seed / t_fast >= 5 else 'NOT met'}).

### CenterNet targets, {NI} images x {NO} objects, {NC} classes, output {OUT[0]}x{OUT[1]} (stride 4)

| method | median | ratio |
|---|---|---|
| per-object loop (CenterNet `ctdet` style) | {ms(t_ct_loop)} | 1.00x |
| `centernet_targets_batch` (one scatter-max per distinct radius) | {ms(t_ct_fast)} | {t_ct_loop / t_ct_fast:.1f}x faster |

Outputs checked identical (`torch.equal`) to the loop for every image. Goal: at least 10x faster ({'met' if t_ct_loop / t_ct_fast >= 10 else 'NOT met'}).

### Peak decoding accuracy, 1,000 unbiased Gaussians (64x64, sigma 1-3, centres >= 8 px from the border)

| decoder | mean error | median | max |
|---|---|---|---|
| integer argmax | {st['argmax'].mean():.4f} px | {st['argmax'].median():.4f} px | {st['argmax'].max():.4f} px |
| `dark_refine` (kernel 11) | {st['dark'].mean():.4f} px | {st['dark'].median():.4f} px | {st['dark'].max():.4f} px |
| `soft_argmax` of log h | {st['soft_argmax'].mean():.4f} px | {st['soft_argmax'].median():.4f} px | {st['soft_argmax'].max():.4f} px |

Goal: DARK mean error under 0.01 px ({'met' if st['dark'].mean() < 0.01 else 'NOT met'}). The whole study (maps, three decoders) took {ms(t_study)}.
""")
