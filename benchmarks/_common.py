"""Helpers shared by the benchmark scripts: the machine's CPU model and median wall time of a call."""
import gc, platform, statistics, time


def cpu_model() -> str:
    "The CPU's model name from /proc/cpuinfo (or what the platform says)."
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"): return line.split(":", 1)[1].strip()
    except OSError: pass
    return platform.processor() or "unknown"


def time_calls(fn, repeats: int, warmup: int = 0, collect: bool = True) -> list:
    "Wall times (s) of `repeats` calls of `fn`, after `warmup` untimed calls; garbage collected before each."
    for _ in range(warmup): fn()
    ts = []
    for _ in range(repeats):
        if collect: gc.collect()
        t0 = time.perf_counter(); out = fn(); ts.append(time.perf_counter() - t0)
        del out
    return ts


def median_time(fn, repeats: int, warmup: int = 0, collect: bool = True) -> float:
    "Median wall time (s) of `repeats` calls of `fn`."
    return statistics.median(time_calls(fn, repeats, warmup, collect))
