"""Reading a VisDrone2019-DET folder: `VisDroneDET` through a DataLoader against a plain `cv2.imread` loop.

Run from the repo root:  python benchmarks/bench_data.py [--images 48 --size 1088 1920 --workers 2 --repeats 3]
Writes the images (synthetic scenes, JPEG quality 95, the official images/ + annotations/ layout) to a temporary
folder, then measures, side by side in one run: opening the folder (sizes from the JPEG headers) against decoding
every image once, and one pass of decoding every image with `cv2.imread` in a plain loop against one pass of a
`DataLoader(VisDroneDET(root), num_workers=2, batch_size=1)`, of the same loader with the pixels as bytes
(`DetectionDataset.get(i, torch.uint8)`), and of the training stream (`TrainingSet` with YOLC's 640x1024 crops, flips,
bytes until the crop is resized); for context also the loader with the notebook's naive `read_image_naive`
(nbs/01_data.ipynb, executed here, not a copy) and the data set read in this process.
Prints a markdown section.
"""
import argparse, datetime, os, statistics, sys, tempfile, time
from pathlib import Path
from unittest.mock import patch
import numpy as np
import cv2
import torch
from torch.utils.data import DataLoader
from torch.utils.data import Dataset
from yolc_nb.data import VisDroneDET, image_size, read_image, write_synthetic
from yolc_nb.augment import TrainingSet, TrainTransform


class Bytes(Dataset):
    "A data set's samples with their pixels as uint8 bytes (`get(i, torch.uint8)`)."
    def __init__(self, ds): self.ds = ds
    def __len__(self): return len(self.ds)
    def __getitem__(self, i): return self.ds.get(i, torch.uint8)
from _common import cpu_model, notebook_namespace


def imread_all(files):
    "Decode every file with OpenCV in a plain loop (the floor any loader pays)."
    for f in files:
        if cv2.imread(str(f), cv2.IMREAD_COLOR) is None: raise ValueError(f"{f} did not decode")


def loader_pass(ds, workers, reader=None):
    "One pass over `ds` with a DataLoader of `workers` processes, batch size 1, samples as they are (with `reader` as `read_image` when given); returns when each sample arrived (s from the start)."
    arrived, t0 = [], time.perf_counter()
    with patch("yolc_nb.data.read_image", reader or read_image):
        for batch in DataLoader(ds, batch_size=1, num_workers=workers, collate_fn=lambda b: b,   # fork: as Linux did before Python 3.14
                                multiprocessing_context="fork" if workers else None):
            arrived.append(time.perf_counter() - t0)
    assert len(arrived) == len(ds), (len(arrived), len(ds))
    return arrived


def timed(fn):
    t0 = time.perf_counter(); fn(); return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=48)
    ap.add_argument("--size", type=int, nargs=2, default=(1088, 1920), metavar=("H", "W"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3, help="passes of each reader, alternated; medians reported")
    ap.add_argument("--threads", type=int, default=1, help="torch threads of the main process")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    H, W = a.size
    load0 = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    _naive = notebook_namespace("01_data.ipynb", lambda src: "def read_image_naive(" in src, {"torch": torch, "np": np, "cv2": cv2})["read_image_naive"]
    naive = lambda path, shared=False, dtype=None: _naive(path)           # as `read_image` (the loader then copies into shared memory)
    with tempfile.TemporaryDirectory() as t:
        t_write = timed(lambda: write_synthetic(t, n_train=a.images, n_val=1, size=(H, W), progress=False, format="visdrone"))
        root = Path(t) / "train"
        files = sorted((root / "images").glob("*.jpg"))
        mb = sum(f.stat().st_size for f in files) / 2**20
        imread_all(files); VisDroneDET(root)                                # warm the page cache and the imports (Pillow)
        t_open = statistics.median(timed(lambda: VisDroneDET(root)) for _ in range(a.repeats))
        t_headers = statistics.median(timed(lambda: [image_size(f) for f in files]) for _ in range(a.repeats))
        ds = VisDroneDET(root)
        assert len(ds) == a.images and ds[0]["image"].shape == (3, H, W) and torch.equal(ds[0]["image"], naive(files[0]))
        stream = TrainingSet(ds, TrainTransform(size=(640, 1024)), seed=0, to_float=False)   # as the training loop reads it
        stream_f = TrainingSet(ds, TrainTransform(size=(640, 1024)), seed=0)
        runs = {k: [] for k in ("imread", "loader", "bytes", "stream", "stream_f", "naive", "inproc")}
        steady = {k: [] for k in ("loader", "bytes", "stream", "stream_f", "naive", "inproc")}   # s per image after the first arrived
        for _ in range(a.repeats):                                          # alternate, so all see the same load
            runs["imread"].append(timed(lambda: imread_all(files)))
            for k, d, w, r in (("loader", ds, a.workers, None), ("bytes", Bytes(ds), a.workers, None), ("stream", stream, a.workers, None), ("stream_f", stream_f, a.workers, None),
                               ("naive", ds, a.workers, naive), ("inproc", ds, 0, None)):
                t0 = time.perf_counter(); arrived = loader_pass(d, w, r); runs[k].append(time.perf_counter() - t0)
                steady[k].append((arrived[-1] - arrived[0]) / (len(arrived) - 1))
    med = {k: statistics.median(v) for k, v in runs.items()}
    med_steady = {k: statistics.median(v) for k, v in steady.items()} | {"imread": med["imread"] / a.images}
    cv, dl = med["imread"], med["stream"]
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    cmd = "python benchmarks/bench_data.py" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(sys.argv[1:] if argv is None else argv))
    rows = [("`cv2.imread` of every file, plain loop (1 process)", "imread"),
            (f"`VisDroneDET` through `DataLoader(num_workers={a.workers}, batch_size=1)`, float pixels", "loader"),
            ("the same with the notebook's `read_image_naive` (three full-size copies, then one into shared memory)", "naive"),
            (f"`VisDroneDET` through the same loader, pixels as bytes (`get(i, torch.uint8)`)", "bytes"),
            (f"**the training stream**: `TrainingSet(VisDroneDET, TrainTransform(size=(640, 1024)), to_float=False)`, {a.workers} workers, as `fit` reads it", "stream"),
            ("the same, made floats in the workers (`to_float=True`)", "stream_f"),
            ("`VisDroneDET` in the main process (`num_workers=0`)", "inproc")]
    out = ["", "## Data: reading a VisDrone folder (`benchmarks/bench_data.py`)", "",
           f"- machine: {cpu_model()}, {os.cpu_count()} cores visible, shared; load average (1, 5, 15 min) {load0} before the run, {load} after it",
           f"- threads: {a.threads} torch thread(s) in the main process, {a.workers} loader workers (1 torch thread each), OpenCV {cv2.__version__} with {cv2.getNumThreads()} thread(s); torch {torch.__version__}",
           f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
           f"- command: `{cmd}`",
           f"- data: {a.images} synthetic {W}x{H} JPEGs (quality 95, {mb / a.images:.2f} MB each) with their annotation files, written by "
           f"`write_synthetic(..., format=\"visdrone\")` in {t_write:.1f} s to a temporary folder, read once before timing (page cache warm)",
           f"- opening: `VisDroneDET(root)` takes {t_open * 1e3:.0f} ms for {a.images} images ({t_headers * 1e3:.0f} ms of it reading sizes from the "
           f"JPEG headers); decoding every image instead, as a size-by-decoding loader would, takes {cv * 1e3:.0f} ms ({cv / t_open:.1f}x longer)",
           "", f"| what | images/s, whole pass | median s per pass of {a.images} images ({a.repeats} passes) | ratio to imread | images/s after the first image | ratio to imread |",
           "|---|---|---|---|---|---|"]
    out += [f"| {w} | {a.images / med[k]:.1f} | {med[k]:.2f} | {cv / med[k]:.2f}x | {1 / med_steady[k]:.1f} | {med_steady['imread'] / med_steady[k]:.2f}x |" for w, k in rows]
    out += ["", f"Goal: the loader that feeds training delivers at least 0.8x the images/s of `cv2.imread` alone: {'met' if cv / dl >= 0.8 else 'not met'} "
            f"({cv / dl:.3f}x over the whole pass, {med_steady['imread'] / med_steady['stream']:.3f}x once the first image has arrived). "
            "A loader's pass includes starting and stopping its worker processes. A full-size float32 sample (4 bytes a pixel, "
            f"{3 * H * W * 4 / 2**20:.0f} MB here) costs the worker as much memory traffic again as the decode; the training stream cuts its crop from the "
            "bytes, resizes and flips bytes, and hands the 640x1024 bytes to the training loop, which makes them floats on the device."]
    print("\n".join(out))


if __name__ == "__main__": main()
