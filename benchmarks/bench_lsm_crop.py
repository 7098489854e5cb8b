"""CPU time of YOLC's Local Scale Module (`yolc_nb.lsm_crop.LSM`) on a 1088x1920 heatmap, both modes,
beside a literal re-run of the published steps (per-cell Python loop, uint8 OpenCV threshold, BFS merge).

Run from the repository root:  python benchmarks/bench_lsm_crop.py [--repeats 15 --classes 10 --threads 1]
Prints a markdown section for BENCHMARKS.md.
"""
import argparse, datetime, os, platform, statistics, sys, tempfile, time
import cv2
import numpy as np
import torch
from yolc_nb.data import SyntheticAerial, make_meta
from yolc_nb.heatmap_gen import centernet_targets
from yolc_nb.lsm_crop import LSM
from _common import cpu_model, time_calls


def published_lsm(heat_bchw: torch.Tensor, jpeg_dir=None) -> np.ndarray:
    "The published LSM on image 0 as written (loops, OpenCV threshold, DMNet-style BFS); its debug JPEG only when `jpeg_dir` is given; xywh crops."
    hm = heat_bchw[:1].amax(1, keepdim=True).numpy()
    inv = 1 - hm
    grey = (255 * inv / np.max(inv))[0][0].astype(np.uint8)
    _, binary = cv2.threshold(grey, 10.0 / 11.0 * 255.0, 255, cv2.THRESH_BINARY_INV)
    binmap = binary.copy(); binmap[binmap == 255] = 1
    ws, hs = binary.shape[1] // 16, binary.shape[0] // 10
    dens = np.zeros((16, 10))
    for i in range(16):
        for j in range(10):
            dens[i][j] = binmap[hs * j:hs * j + hs, ws * i:ws * i + ws].sum()
    idx = dens.flatten().argsort()[-15:][::-1]
    grid = np.zeros((16, 10)); grid[idx // 10, idx % 10] = 255
    seen = np.zeros((16, 10), bool); out = []
    for i in range(16):
        for j in range(10):
            if seen[i, j] or grid[i, j] != 255: continue
            q, box = [(i, j)], [i, j, i, j]; seen[i, j] = True
            while q:
                a, b = q.pop(0)
                box = [min(box[0], a), min(box[1], b), max(box[2], a), max(box[3], b)]
                for da in (-1, 0, 1):
                    for db in (-1, 0, 1):
                        u, v = a + da, b + db
                        if 0 <= u < 16 and 0 <= v < 10 and not seen[u, v] and grid[u, v] == 255:
                            seen[u, v] = True; q.append((u, v))
            out.append([box[0] * ws, box[1] * hs, (box[2] + 1 - box[0]) * ws, (box[3] + 1 - box[1]) * hs])
    if jpeg_dir is not None:
        for x, y, w, h in out: cv2.rectangle(binary, (x, y), (x + w, y + h), (255, 0, 0), 2)
        cv2.imwrite(os.path.join(jpeg_dir, "binary_heatmap_test4.jpg"), binary)
    return np.array(out, dtype=np.float32)


def median_time(fn, repeats):
    "Median and minimum wall time (s), after one warm-up call."
    ts = time_calls(fn, repeats, warmup=1, collect=False)
    return statistics.median(ts), min(ts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--classes", type=int, default=10, help="heatmap channels C (VisDrone: 10)")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    H, W = 1088, 1920
    s = SyntheticAerial(1, size=(H, W), seed=0)[0]
    labels = torch.randint(0, a.classes, (len(s["boxes"]),), generator=torch.Generator().manual_seed(0))
    heat = centernet_targets(s["boxes"], labels, a.classes, (H, W), down_ratio=1)["heatmap"][None]   # [1, C, H, W]
    metas = [make_meta(H, W)]
    ours = LSM(heat, metas)[0].numpy()
    ref = published_lsm(heat)
    assert np.array_equal(ours, ref), f"yolc mode and the published steps disagree:\n{ours}\n{ref}"
    tmp = tempfile.TemporaryDirectory()
    rows = [("published steps, literal (loops + BFS)", lambda: published_lsm(heat)),
            ("published steps + their debug JPEG (temp dir)", lambda: published_lsm(heat, tmp.name)),
            ("max over classes alone (shared by all)", lambda: heat.amax(1)),
            ("`LSM(..., mode='yolc')`", lambda: LSM(heat, metas)),
            ("`LSM(..., mode='adaptive', threshold=0.09)`", lambda: LSM(heat, metas, mode="adaptive", threshold=0.09))]
    res = [(name, *median_time(fn, a.repeats)) for name, fn in rows]
    base = res[0][1]
    cmd = "python benchmarks/bench_lsm_crop.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print(f"## LSM cluster cropping (`yolc_nb.lsm_crop`)\n")
    print(f"- Machine: {cpu_model()}, {torch.get_num_threads()} torch thread(s) of {os.cpu_count()} cores; torch {torch.__version__}, numpy {np.__version__}, OpenCV {cv2.__version__}")
    print(f"- Date: {datetime.date.today().isoformat()}")
    print(f"- Command: `{cmd.strip()}`")
    print(f"- Input: one {H}x{W} stride-1 heatmap with {a.classes} classes (`[1, {a.classes}, {H}, {W}]`, YOLC targets of a synthetic scene with {len(s['boxes'])} objects); "
          f"median (and best) of {a.repeats} runs after one warm-up. The yolc mode returned the same {len(ours)} crops as the literal published steps.\n")
    print("| implementation | median ms | best ms | speed-up vs literal |\n|---|---|---|---|")
    for name, med, best in res: print(f"| {name} | {med * 1e3:.1f} | {best * 1e3:.1f} | {base / med:.2f}x |")
    tmp.cleanup()
    print("\nEvery row but the max-over-classes one includes that max. The literal row is the published code without the debug JPEG it writes on every call; the row below it adds that write (to a temporary directory).")


if __name__ == "__main__": main()
