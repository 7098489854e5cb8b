"""Sliced inference at full resolution: what slicing and merging add to the network's own time.

One synthetic 1088x1920 scene, a detector preset with seed 0 (10 classes, random weights, the heatmap's last layer drawn with
std 1 so that scores spread), one torch thread. Per repeat, alternating:
- `sliced`: `detect(mode="sliced")`, SAHI's defaults (slices of --slice px, overlap 0.2, the full image too, greedy NMM on
  IoS 0.5), slices batched by padded size (`crop_batch`); its pixel count comes from `counting_pixels`;
- `one forward`: the network alone on one input of the same total pixels (a single image of that area, width 1920, height
  rounded to the stride), no decoding, no merging;
- `one global pass`: the same input through `detect(mode="global")`, forward and decoding (what any mode pays per pixel).
The ratio of the medians is the overhead of slicing, batching, decoding and merging. Prints a markdown section for BENCHMARKS.md.

    python benchmarks/bench_sliced.py [--preset student --slice 512 --repeats 5]
"""
import argparse, datetime, platform, statistics, time
from _common import cpu_model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", default="student")
    ap.add_argument("--size", type=int, nargs=2, default=(1088, 1920), metavar=("H", "W"))
    ap.add_argument("--slice", type=int, default=512)
    ap.add_argument("--crop-batch", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args(argv)
    import torch
    torch.set_num_threads(1)
    from yolc_nb.detector import YOLCDetector, detector_config
    from yolc_nb.data import SyntheticAerial
    torch.manual_seed(0)
    m = YOLCDetector(10, **detector_config(a.preset)).eval()
    with torch.no_grad(): torch.nn.init.normal_(m.head.heatmap_head[-1].weight, std=1.0)
    H, W = a.size
    img = SyntheticAerial(1, size=(H, W), num_classes=5, seed=0)[0]["image"][None]
    kw = dict(mode="sliced", slice_hw=a.slice, crop_batch=a.crop_batch)
    _, sl, cost = m.detect(img, **kw)                                 # warm-up, and the pixel count
    pixels, n_slices = cost["pixels"], len(sl[0])
    h_eq = max(m.stride, round(pixels / W / m.stride) * m.stride)
    x_eq = torch.rand(1, 3, h_eq, W)
    with torch.no_grad(): m(x_eq)                                     # warm-up
    t_sl, t_fw, t_gp = [], [], []
    for _ in range(a.repeats):
        t = time.perf_counter(); m.detect(img, **kw); t_sl.append(time.perf_counter() - t)
        t = time.perf_counter()
        with torch.no_grad(): m(x_eq)
        t_fw.append(time.perf_counter() - t)
        t = time.perf_counter(); m.detect(x_eq, mode="global"); t_gp.append(time.perf_counter() - t)
    ms, mf, mg = statistics.median(t_sl), statistics.median(t_fw), statistics.median(t_gp)
    print(f"## Sliced inference overhead (`benchmarks/bench_sliced.py`)\n")
    print(f"{datetime.date.today()}, {cpu_model()}, 1 torch thread, torch {torch.__version__}, `{a.preset}` preset, one {W}x{H} image, "
          f"slices of {a.slice} px with overlap 0.2 ({n_slices} slices) plus the full image, crop_batch {a.crop_batch}, "
          f"medians of {a.repeats} alternating repeats. Command: `python benchmarks/bench_sliced.py --preset {a.preset} --slice {a.slice} --repeats {a.repeats}`\n")
    print("| run | pixels | median s | min s | max s |\n|---|---:|---:|---:|---:|")
    print(f"| sliced (`detect(mode=\"sliced\")`) | {pixels:,} | {ms:.3f} | {min(t_sl):.3f} | {max(t_sl):.3f} |")
    print(f"| one forward over the same pixels ({W}x{h_eq}) | {W * h_eq:,} | {mf:.3f} | {min(t_fw):.3f} | {max(t_fw):.3f} |")
    print(f"| one global pass over the same pixels (forward and decoding) | {W * h_eq:,} | {mg:.3f} | {min(t_gp):.3f} | {max(t_gp):.3f} |")
    print(f"\nRatio sliced / one forward: **{ms / mf:.2f}x** (goal: at most 1.2x); sliced / one global pass: {ms / mg:.2f}x; "
          f"per repeat (sliced / forward): {', '.join(f'{x / y:.2f}' for x, y in zip(t_sl, t_fw))}; pixels {pixels / (H * W):.2f}x the image's.")


if __name__ == "__main__":
    main()
