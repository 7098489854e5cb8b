"""Parameter counts and CPU forward+backward time of the yolc_nb.backbones and yolc_nb.necks_heads modules.

Run from the repository root:  python benchmarks/bench_decoder.py [--batch 8 --size 512 --repeats 3 --threads 1]
Prints a markdown section for BENCHMARKS.md.
"""
import argparse, datetime, os, platform, statistics, sys, time
import torch
from yolc_nb.backbones import LightHRNet, UNet, count_parameters
from yolc_nb.core import markdown_table
from yolc_nb.necks_heads import MultiScaleDecoder, StrideNeck, default_modules, measure_saved_activations, parameter_table
from _common import cpu_model


class BackboneNeck(torch.nn.Module):
    "Backbone features -> StrideNeck map at stride 4 (the detector's feature path)."
    def __init__(self, backbone, out_channels=64):
        super().__init__()
        self.backbone, self.neck = backbone, StrideNeck(backbone.feature_channels, out_channels, 4)
    def forward(self, x): return self.neck(self.backbone(x, return_features=True))


class SeedDecoder(torch.nn.Module):
    "MultiScaleDecoder fed with fixed random queries and skips of 24, 48 and 64 channels at strides 2, 4 and 8."
    def __init__(self, batch, size, keypoints=20):
        super().__init__()
        self.dec = MultiScaleDecoder(keypoints, 256, output_size=size)
        self.q = torch.randn(batch, keypoints, 256)
        self.feats = {"F1": torch.randn(batch, 24, size // 2, size // 2), "F2": torch.randn(batch, 48, size // 4, size // 4),
                      "F3": torch.randn(batch, 64, size // 8, size // 8)}
    def forward(self, x): return self.dec(self.q, self.feats)


def step(model, x):
    out = model(x)
    out = out["out"] if isinstance(out, dict) else out
    out.float().square().mean().backward()
    model.zero_grad(set_to_none=True)


def time_model(model, x, repeats):
    model.train()
    saved = measure_saved_activations(model, x)   # also the warm-up forward
    model.zero_grad(set_to_none=True)
    step(model, x)                                 # warm-up forward + backward
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        step(model, x)
        wall.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), saved


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--params-only", action="store_true", help="print the parameter table only (no timing)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    B, S = a.batch, a.size
    started = datetime.datetime.now(datetime.timezone.utc)

    if a.params_only:
        print(markdown_table([(n, f"{c:,}") for n, c in parameter_table(default_modules())], ["module", "parameters"]))
        return
    torch.manual_seed(0)
    cases = {"LightHRNet() (default)": LightHRNet(),
             "LightHRNet(n_channels=64)": LightHRNet(n_channels=64),
             "UNet() (default)": UNet(),
             "LightHRNet(num_branches=4) + StrideNeck(64)": BackboneNeck(LightHRNet(num_branches=4)),
             "MultiScaleDecoder(20) on skips at strides 2/4/8": SeedDecoder(B, S)}
    x = torch.randn(B, 3, S, S)
    rows, base = [], None
    for name, model in cases.items():
        wall, cpu, saved = time_model(model, x, a.repeats)
        base = base or cpu
        rows.append((name, f"{count_parameters(model):,}", f"{wall:.2f}", f"{cpu:.2f}", f"{cpu / base:.2f}", f"{saved / 2**20:,.0f}"))
        print(f"# {name}: median wall {wall:.2f} s, CPU {cpu:.2f} s", file=sys.stderr)

    cmd = " ".join(["python benchmarks/bench_decoder.py"] + (sys.argv[1:] if argv is None else list(argv)))
    print("## Decoder: parameters and CPU forward+backward (`benchmarks/bench_decoder.py`)\n")
    print(f"- Machine: {cpu_model()}, {os.cpu_count()} cores, torch {torch.__version__}, {a.threads} thread(s); "
          f"started {started:%Y-%m-%d %H:%M} UTC")
    print(f"- Command: `{cmd}`")
    print("- The machine is shared with other jobs: wall seconds include waiting for a core; the process CPU seconds "
          "(one thread) are the steadier measure, and the ratios compare models measured side by side in this run.\n")
    print("Parameter counts of the default configurations (an earlier version of the kit's text quoted Light HRNet ~2-5M, UNet ~1M):\n")
    print(markdown_table([(n, f"{c:,}") for n, c in parameter_table(default_modules())], ["module", "parameters"]))
    print(f"\nForward + backward of one training step, batch {B}, {S}x{S} input, CPU, median of {a.repeats} after one warm-up; "
          f"ratio = CPU seconds / CPU seconds of the first row; saved = activations autograd keeps for backward "
          f"(measured with `measure_saved_activations`):\n")
    print(markdown_table(rows, ["model", "parameters", "wall s", "CPU s", "ratio (CPU)", "saved MiB"]))


if __name__ == "__main__": main()
