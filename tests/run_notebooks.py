#!/usr/bin/env python
"""Every notebook, top to bottom, against the built wheel in a fresh virtual environment (as a Colab user meets them).

1. build the wheel from a copy of the sources (`pip wheel --no-deps`; nothing is written into the repo);
2. create a fresh venv in a temporary folder (on /dev/shm when roomy); torch: this interpreter's torch and what it
   needs, linked into the venv (Colab too has torch preinstalled; `--torch install`: pip install the same version);
3. install the wheel with its `dev` extra (NOT editable) and register the venv's ipykernel under a temporary prefix;
4. run each notebook of a temporary copy of `nbs/` (and `recipes/` beside it) with nbclient, cwd = that copy, skipping the cells nbdev-test skips
   (`tst_flags` from pyproject, e.g. `#| slow`, `#| gpu`, and `#| eval: false`); `#| export` cells run as written;
   a cell over 120 s fails its notebook. nbclient runs without its Output-widget mimic (`_nbutil.quiet_client`
   says why: with it a widget cell could wait for the whole cell timeout, 600 s, and then pass).

    python tests/run_notebooks.py [NOTEBOOK ...] [--torch link|install] [--keep] [--shared-data] [--timeout S]

Prints one line per notebook (pass/fail, seconds), then `N passed, N failed`; exit status 1 on any failure.
"""
from __future__ import annotations
import argparse, os, re, shutil, subprocess, sys, tempfile, time, venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _nbutil import NBS, REPO, SLOW_CELL_S, load_nb, nbdev_config, notebooks, quiet_client, strip_skipped, tst_flags  # noqa: E402

KERNEL = "yolc-nb-wheel"
SRC_FILES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "setup.py", "setup.cfg")

def log(*a): print(*a, flush=True)

def sh(cmd, **kw):
    "Run `cmd`, raise with its output on failure, return its stdout."
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{(r.stdout + r.stderr)[-3000:]}")
    return r.stdout

def pip_quiet(py, *args, **kw):
    return sh([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", *args], **kw)

def build_wheel(tmp: Path) -> Path:
    "The kit's wheel, built from a copy of its sources (the repo gets no build/ or egg-info)."
    src, dist = tmp / "src", tmp / "dist"
    src.mkdir()
    for f in SRC_FILES:
        if (REPO / f).exists(): shutil.copy2(REPO / f, src / f)
    shutil.copytree(REPO / "yolc_nb", src / "yolc_nb", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    args = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check", src, "-w", dist]
    try:   # build backend of this interpreter when it is recent enough (offline, fast), else pip's isolated build
        import setuptools
        if int(setuptools.__version__.split(".")[0]) >= 77: args.insert(4, "--no-build-isolation")
    except ImportError: pass
    sh(args)
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != 1: raise RuntimeError(f"expected one wheel in {dist}, found {wheels}")
    return wheels[0]

def torch_closure() -> dict:
    "The installed distributions torch and torchvision need (themselves included), by name; empty when torch is not installed."
    from importlib import metadata
    from packaging.requirements import Requirement
    seen = {}
    def visit(name):
        try: d = metadata.distribution(name)
        except metadata.PackageNotFoundError: return
        key = d.metadata["Name"].lower().replace("_", "-")
        if key in seen or key in ("setuptools", "pip"): return
        seen[key] = d
        for r in d.requires or []:
            req = Requirement(r)
            if not req.marker or req.marker.evaluate({"extra": ""}): visit(req.name)
    visit("torch"); visit("torchvision")   # a pair built together: the kit needs both, and pip must not replace either
    return seen

def link_host_torch(tmp: Path, site: Path) -> str:
    """Make this interpreter's torch (and only what torch needs) importable in the venv whose site-packages is `site`:
    symlinks in one folder, added by a `.pth` file. Colab also comes with torch preinstalled; this saves
    installing (and deleting) about a gigabyte. Returns a description, or '' when there is nothing to link."""
    try: dists = torch_closure()
    except ImportError: return ""          # no `packaging` here: install torch instead
    if "torch" not in dists: return ""
    link = tmp / "host-torch"
    link.mkdir()
    for d in dists.values():
        base = Path(d.locate_file(""))
        for top in {Path(str(f)).parts[0] for f in d.files or []}:
            if top in ("..", "__pycache__") or top.endswith(".pth") or (link / top).exists(): continue
            if (base / top).exists(): (link / top).symlink_to(base / top)
    (site / "_host_torch.pth").write_text(str(link) + "\n")
    tv = f", torchvision {dists['torchvision'].version}" if "torchvision" in dists else ""
    return f"host torch {dists['torch'].version}{tv} linked with {len(dists) - 1 - bool(tv)} dependencies"

def make_venv(tmp: Path, wheel: Path, torch_mode: str, extra: str) -> Path:
    "A fresh venv with torch, the wheel and its `extra`, and a kernel spec; returns its python."
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = Path(sh([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    t0, how = time.time(), ""
    if torch_mode == "link": how = link_host_torch(tmp, site)
    if how and subprocess.run([py, "-c", "import torch"], capture_output=True).returncode:
        (site / "_host_torch.pth").unlink(); how = ""          # the links do not import: install instead
    if not how:
        specs = []                                                  # the same versions as this interpreter's
        try:
            import torch; specs.append(f"torch=={torch.__version__.split('+')[0]}")
            import torchvision; specs.append(f"torchvision=={torchvision.__version__.split('+')[0]}")
        except Exception: specs = specs or ["torch"]
        pip_quiet(py, *specs)
        how = f"pip install {' '.join(specs)}"
    log(f"venv: torch: {how} ({time.time() - t0:.1f} s)")
    t0 = time.time()
    pip_quiet(py, f"{wheel}[{extra}]" if extra else wheel)
    log(f"venv: pip install {wheel.name}" + (f"[{extra}]" if extra else "") + f" ({time.time() - t0:.1f} s)")
    if subprocess.run([py, "-c", "import ipykernel"], capture_output=True).returncode: pip_quiet(py, "ipykernel")
    sh([py, "-m", "ipykernel", "install", "--prefix", tmp / "kernels", "--name", KERNEL, "--display-name", KERNEL])
    where = sh([py, "-c", "import yolc_nb, torch; print(yolc_nb.__file__); print(torch.__version__)"], cwd=tmp).split()
    if not Path(where[0]).resolve().is_relative_to(site.resolve()):
        raise RuntimeError(f"yolc_nb imports from {where[0]}, not from the venv's site-packages {site}")
    log(f"venv: yolc_nb from the wheel (in the venv's site-packages), torch {where[1]}")
    return py

def fast_tmp():
    "/dev/shm when it is a roomy RAM disk (creating and deleting a venv there takes seconds), else the default."
    shm = Path("/dev/shm")
    try:
        st = os.statvfs(shm)
        return str(shm) if st.f_bavail * st.f_frsize > 4 * 2**30 and os.access(shm, os.W_OK) else None
    except OSError: return None

def run_one(path: Path, kernel_dir: Path, timeout: int, flags: set[str]):
    """Execute one notebook (a copy in a temporary nbs/ folder) with nbclient; returns (ok, seconds, message).
    A cell over SLOW_CELL_S seconds fails the notebook (work that long belongs in a `#| slow` cell)."""
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    import nbformat
    os.environ["JUPYTER_PATH"] = str(kernel_dir / "share" / "jupyter")
    nb = nbformat.read(path, as_version=4)
    removed = strip_skipped(nb, flags)
    t0 = time.time()
    client = quiet_client()(nb, kernel_name=KERNEL, timeout=timeout, startup_timeout=120,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
        slow_id, slowest = max(client.cell_seconds.items(), key=lambda kv: kv[1], default=("-", 0.))
        if slowest > SLOW_CELL_S:
            return False, time.time() - t0, f"cell {slow_id} took {slowest:.0f} s, over {SLOW_CELL_S} s: make it faster or mark it `#| slow`"
        return True, time.time() - t0, (f"{removed} cell(s) skipped; " if removed else "") + f"slowest cell {slowest:.1f} s ({slow_id})"
    except CellExecutionError as e:
        lines = [l for l in re.sub(r"\x1b\[[0-9;]*m", "", str(e)).splitlines() if l.strip()]   # no ANSI colours
        return False, time.time() - t0, "\n".join(lines[-25:])
    except (CellTimeoutError, DeadKernelError, RuntimeError) as e:
        return False, time.time() - t0, f"{type(e).__name__}: {str(e)[-1500:]}"

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", help="notebook names in nbs/ (default: all)")
    ap.add_argument("--timeout", type=int, default=int(nbdev_config().get("cell_timeout", 600)), help="seconds per cell")
    ap.add_argument("--shared-data", action="store_true",
                    help="let the notebooks find shared/data beside the repo (default: as in Colab, they do not)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (venv, executed copies) and print it")
    ap.add_argument("--torch", choices=("link", "install"), default="link",
                    help="link: reuse this interpreter's torch, like Colab's preinstalled one (default); "
                         "install: pip install the same version into the venv")
    ap.add_argument("--extra", default="dev", help="the extra installed with the wheel, as a Colab user does (default: dev)")
    args = ap.parse_args(argv)

    names = [Path(n).name if n.endswith(".ipynb") else f"{n}.ipynb" for n in args.notebooks]
    nbs = [NBS / n for n in names] if names else notebooks()
    if missing := [p.name for p in nbs if not p.exists()]: log(f"no such notebook(s): {missing}"); return 2
    flags = tst_flags()
    t_all = time.time()
    os.environ.pop("MPLBACKEND", None)      # the kernel uses matplotlib's inline backend, as in Colab
    os.environ.pop("PYTHONPATH", None)
    # one torch thread in the kernels: on 2 shared cores 2 threads can run many times slower than 1, and a cell must stay under 120 s
    os.environ.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if args.shared_data:
        for q in (REPO, *REPO.parents):
            if (q / "shared" / "data").is_dir(): os.environ["YOLC_NB_SHARED_DATA"] = str(q / "shared" / "data"); break
    else: os.environ.pop("YOLC_NB_SHARED_DATA", None)
    tmp = Path(tempfile.mkdtemp(prefix="yolc_nb_wheel_", dir=fast_tmp()))
    results = {}
    try:
        t0 = time.time()
        wheel = build_wheel(tmp)
        log(f"wheel: {wheel.name} ({time.time() - t0:.1f} s)")
        t0 = time.time()
        make_venv(tmp, wheel, args.torch, args.extra)
        log(f"venv ready ({time.time() - t0:.1f} s); skipping cells flagged {sorted(flags)} or `eval: false`")
        root = tmp / "nbs"
        shutil.copytree(NBS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_proc", "_docs"))
        if (REPO / "recipes").is_dir(): shutil.copytree(REPO / "recipes", tmp / "recipes")   # the notebooks read ../recipes
        for p in nbs:
            log(f"run   {p.name} ...")
            ok, dt, msg = run_one(root / p.name, tmp / "kernels", args.timeout, flags)
            results[p.name] = (ok, dt)
            log(f"{'pass' if ok else 'FAIL'}  {p.name}  {dt:.1f} s" + (f"  ({msg})" if ok and msg else ""))
            if not ok: log("  " + msg.replace("\n", "\n  "))
    finally:
        t0 = time.time()
        if args.keep: log(f"kept {tmp}")
        else: shutil.rmtree(tmp, ignore_errors=True); log(f"removed the temporary folder ({time.time() - t0:.1f} s)")
    npass = sum(ok for ok, _ in results.values())
    log(f"\nnotebooks against the wheel: {sum(dt for _, dt in results.values()):.1f} s executing, "
        f"{time.time() - t_all:.1f} s in all")
    log(f"{npass} passed, {len(results) - npass} failed")
    return 0 if results and npass == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
