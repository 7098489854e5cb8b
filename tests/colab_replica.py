#!/usr/bin/env python
"""Every notebook as Colab's "Run all" runs it, in a replica of Colab's CPU runtime.

1. a fresh virtual environment with Python 3.13 and Colab's packages at Colab's versions (`tests/colab/pip-freeze.txt`,
   Google's published list): the notebooks' stack (torch 2.11.0, torchvision 0.26.0, ipywidgets 7.7.1, ipykernel 6.17.1,
   IPython 7.34.0, numpy, OpenCV, matplotlib, timm, fastcore, ...) installed first, every package pip pulls in held at
   Colab's version. Colab's torch is PyTorch's CPU build; PyPI serves the CUDA build of the same version, which runs on the CPU;
2. the kit's wheel, built once from a copy of the checkout, stands in for GitHub: the install cell's `git+https://...` is
   pointed at it, and `$YOLC_NB_REPO_URL` at the checkout (the files `repo_file` downloads); the kit is not installed
   before the first notebook does it;
3. each notebook is copied alone into an empty folder (no checkout, no `shared/data` above it) and run top to bottom in
   a fresh kernel, with `google.colab` importable so its install cell does what it does in Colab; no cell is left out
   (flagged cells guard themselves); the run stops at the first error, as "Run all" does;
4. in a notebook with an `interactive(` widget, each widget's first control is then moved and its figure must change
   (ipywidgets 7.7.1 in the kernel);
5. Colab's packages after all installs are compared with before: any changed version fails the run.

    python tests/colab_replica.py [NOTEBOOK ...] [--python PY] [--keep] [--json FILE]

Prints one line per notebook (pass/fail, seconds, slowest cell), the packages the install added, then
`N passed, N failed`; exit status 1 on any failure.
"""
from __future__ import annotations
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _nbutil import NBS, REPO, has_widget, load_nb, notebooks, quiet_client  # noqa: E402

FREEZE = Path(__file__).resolve().parent / "colab" / "pip-freeze.txt"
# what a notebook imports, and the kernel it runs in; each at Colab's version (FREEZE)
STACK = ["ipython", "ipykernel", "ipywidgets", "notebook", "jupyter_client", "traitlets", "widgetsnbextension", "jupyterlab_widgets",
         "numpy", "opencv-python-headless", "matplotlib", "timm", "fastcore", "pycocotools", "seaborn", "tqdm", "pyyaml", "pillow",
         "requests", "packaging", "setuptools"]
GITHUB_SPEC = re.compile(r"git\+https://github\.com/[\w.-]+/[\w.-]+")
SRC_FILES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in")
KERNEL = "colab-replica"
CUDA_LIBS = re.compile(r"(nvidia|cuda|triton)")   # PyPI's torch needs its own versions of these; Colab's CPU torch none
COLAB_MODULE = 'import sys, types\nsys.modules.setdefault("google.colab", types.ModuleType("google.colab"))   # as in Colab'

PROBE = '''
import io
from ipywidgets import Widget, interactive
def _png(fig):
    if fig is None or not hasattr(fig, "savefig"): return None
    b = io.BytesIO(); fig.savefig(b, format="png"); return b.getvalue()
def _move(c):
    "Move a control to another value: the next option, or the middle of its range (its max when it sits there)."
    if getattr(c, "options", None):
        opts = list(c.options); vals = [o[1] if isinstance(o, tuple) else o for o in opts]
        i = vals.index(c.value) if c.value in vals else 0; c.value = vals[(i + 1) % len(vals)]; return True
    if hasattr(c, "min") and hasattr(c, "max") and c.min != c.max:
        mid = type(c.value)((c.min + c.max) / 2); c.value = mid if mid != c.value else c.max; return True
    if isinstance(getattr(c, "value", None), bool): c.value = not c.value; return True
    return False
_probe = [w for w in list(getattr(Widget, "widgets", {}).values()) if isinstance(w, interactive)]
print("PROBE_COUNT", len(_probe))
'''
PROBE_ONE = '''
_w = _probe[{i}]; _before = _png(_w.result)
_c = next((c for c in _w.kwargs_widgets if _move(c)), None)
assert _c is not None, "widget {i}: no control that can be moved"
_after = _png(_w.result)
assert _before is None or _after != _before, "widget {i}: moving " + type(_c).__name__ + " " + repr(_c.description) + " left the figure as it was"
print("PROBE_MOVED", {i}, type(_c).__name__, repr(_c.description))
'''

def log(*a): print(*a, flush=True)

def sh(cmd, **kw) -> str:
    "Run `cmd`; raise with the end of its output on failure; return stdout."
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode:
        out = "\n".join(l for l in (r.stdout + r.stderr).splitlines() if not l.startswith("WARNING: Location"))
        raise RuntimeError(f"{' '.join(map(str, cmd))[:300]} failed ({r.returncode}):\n{out[-3000:]}")
    return r.stdout

def colab_pins() -> dict:
    "Colab's packages, {normalised name: version}, from its published pip freeze (URL lines: the version in the wheel's name)."
    pins = {}
    for line in FREEZE.read_text().splitlines():
        if line.startswith("#") or not line.strip(): continue
        if m := re.match(r"^([A-Za-z0-9_.-]+)==(\S+)$", line): pins[norm(m[1])] = m[2]
        elif m := re.match(r"^([A-Za-z0-9_.-]+) @ \S+/[A-Za-z0-9_.]+-([0-9][^-]*)-", line): pins[norm(m[1])] = m[2].replace("%2B", "+")
    return pins

def norm(name: str) -> str: return re.sub(r"[-_.]+", "-", name).lower()

def installed(py) -> dict:
    return {norm(n): v for n, v in (l.split("==", 1) for l in sh([py, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"]).splitlines() if "==" in l)}

def make_venv(tmp: Path, python: str, wheel: Path, reuse: str | None = None) -> Path:
    """A venv with Colab's stack at Colab's versions, and every other package of Colab's that the kit's install would use (found by a
    dry run of it against Colab's list): in Colab these are already there, so the install cell must find them there here too.
    Colab's torch/torchvision are PyTorch's CPU builds (`+cpu`); PyPI's builds of the same versions pull the CUDA libraries, whose
    versions Colab's CPU list does not hold (so those lines are not constraints)."""
    env_dir = Path(reuse) if reuse else tmp / "venv"
    if not reuse: sh([python, "-m", "venv", env_dir])
    py = env_dir / "bin" / "python"
    pins = colab_pins()
    cons = tmp / "colab-constraints.txt"
    cons.write_text("".join(f"{n}=={v}\n" for n, v in pins.items() if "+" not in v and not CUDA_LIBS.match(n)))
    pip = [py, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    sh([*pip, f"pip=={pins['pip']}"])                                   # Colab's pip resolves the install
    sh([*pip, "-c", cons, f"torch=={pins['torch'].split('+')[0]}", f"torchvision=={pins['torchvision'].split('+')[0]}", *STACK])
    report = tmp / "dry-run-colab.json"
    sh([*pip, "--dry-run", "--report", report, "-c", cons, f"yolc-nb[notebook] @ {wheel.as_uri()}"])
    theirs = sorted(n for n in (norm(i["metadata"]["name"]) for i in json.loads(report.read_text())["install"]) if n in pins)
    if theirs: sh([*pip, "-c", cons, *theirs])
    got = installed(py)
    off = {n: (got[n], v) for n, v in pins.items() if n in got and got[n].split("+")[0] != v.split("+")[0] and not CUDA_LIBS.match(n)}
    if off: raise RuntimeError(f"the replica's packages differ from Colab's: {off}")
    sh([py, "-m", "ipykernel", "install", "--prefix", tmp / "kernels", "--name", KERNEL, "--display-name", KERNEL])
    return py

def install_dry_run(py, tmp: Path, wheel: Path) -> list[str]:
    "What the install cell's command would install (pip's --dry-run --report, constrained to what is installed, as the cell does)."
    cons, report = tmp / "installed-now.txt", tmp / "dry-run-cell.json"
    cons.write_text(sh([py, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"]))
    sh([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--dry-run", "--report", report, "-c", cons,
        f"yolc-nb[notebook] @ {wheel.as_uri()}"])
    return sorted(f"{norm(i['metadata']['name'])}=={i['metadata']['version']}" for i in json.loads(report.read_text())["install"])

def build_wheel(tmp: Path) -> Path:
    "The kit's wheel from a copy of the checkout's sources (nothing is written into the repo)."
    src, dist = tmp / "src", tmp / "dist"
    src.mkdir()
    for f in SRC_FILES:
        if (REPO / f).exists(): shutil.copy2(REPO / f, src / f)
    shutil.copytree(REPO / "yolc_nb", src / "yolc_nb", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    sh([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check", src, "-w", dist])
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != 1: raise RuntimeError(f"expected one wheel in {dist}, found {wheels}")
    return wheels[0]

def clean_folder(base: Path, name: str) -> Path:
    "An empty folder for one notebook; refused when a `shared/data` lies above it (Colab has none)."
    d = base / name
    d.mkdir(parents=True)
    for q in d.resolve().parents:
        if (q / "shared" / "data").exists():
            raise RuntimeError(f"{q / 'shared' / 'data'} lies above the run folder {d}: the notebooks would find it, which Colab's do not; "
                               "pass --work DIR somewhere without one")
    return d

def code_cell(src: str):
    import nbformat
    return nbformat.v4.new_code_cell(src)

def run_notebook(path: Path, folder: Path, wheel: Path, kernels: Path, timeout: int) -> dict:
    "Copy `path` alone into `folder` and run it as Colab's Run all; returns {ok, seconds, slowest, widgets, message}."
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    nb = nbformat.read(path, as_version=4)
    install = [c for c in nb.cells if c.cell_type == "code" and "google.colab" in c.source]
    if not install: return dict(ok=False, seconds=0., message="no Colab install cell")
    for c in install: c.source = GITHUB_SPEC.sub(wheel.as_uri(), c.source)
    nb.cells.insert(0, code_cell(COLAB_MODULE))
    nbformat.write(nb, folder / path.name)
    os.environ["JUPYTER_PATH"] = str(kernels / "share" / "jupyter")
    client = quiet_client()(nb, kernel_name=KERNEL, timeout=timeout, startup_timeout=120, resources={"metadata": {"path": str(folder)}})
    t0, n_widgets, idx, secs = time.time(), 0, 0, {}
    try:
        with client.setup_kernel():
            for idx, cell in enumerate(nb.cells):
                t1 = time.time(); client.execute_cell(cell, idx); secs[cell.get("id", str(idx))] = time.time() - t1
            if has_widget(path):
                probe = code_cell(PROBE); nb.cells.append(probe); client.execute_cell(probe, len(nb.cells) - 1)
                out = "".join(o.get("text", "") for o in probe.outputs)
                n_widgets = int(re.search(r"PROBE_COUNT (\d+)", out)[1])
                if n_widgets == 0: raise RuntimeError("the notebook has an `interactive(` widget, but none was built")
                for i in range(n_widgets):
                    cell = code_cell(PROBE_ONE.format(i=i)); nb.cells.append(cell); client.execute_cell(cell, len(nb.cells) - 1)
                    if not any("image/png" in o.get("data", {}) for o in cell.outputs):
                        raise RuntimeError(f"widget {i}: moving its control drew no figure in the cell's output")
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as e:
        lines = [l for l in re.sub(r"\x1b\[[0-9;]*m", "", str(e)).splitlines() if l.strip()]
        return dict(ok=False, seconds=time.time() - t0, message=f"cell {idx}: " + "\n".join(lines[-25:]))
    finally:
        nbformat.write(nb, folder / path.name)
    sid, slowest = max(secs.items(), key=lambda kv: kv[1], default=("-", 0.))
    return dict(ok=True, seconds=time.time() - t0, slowest=slowest, slowest_cell=sid, widgets=n_widgets,
                message=f"slowest cell {slowest:.1f} s ({sid})" + (f"; {n_widgets} widget(s) moved, each redrew its figure" if n_widgets else ""))

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", help="notebook names in nbs/ (default: all)")
    ap.add_argument("--python", default=None, help="a Python 3.13 (default: pyenv's newest 3.13, else python3.13 on PATH)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    ap.add_argument("--work", default=str(Path.home() / ".cache"), help="where to make the temporary folder for the venv and the runs "
                    "(default ~/.cache: no shared/data above it, unlike a checkout's parent; about 6 GB while it runs)")
    ap.add_argument("--venv", default=None, help="reuse this replica venv (one kept with --keep; for working on the script: CI makes a fresh one)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (venv, executed notebooks) and print it")
    ap.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    names = [Path(n).name if n.endswith(".ipynb") else f"{n}.ipynb" for n in args.notebooks]
    nbs = [NBS / n for n in names] if names else [p for p in notebooks() if p.name != "index.ipynb"]
    if missing := [p.name for p in nbs if not p.exists()]: log(f"no such notebook(s): {missing}"); return 2
    python = args.python or find_python313()
    if not python: log("no Python 3.13 found: pass --python"); return 2
    for k in ("PYTHONPATH", "MPLBACKEND", "YOLC_NB_SHARED_DATA", "YOLC_NB_FLAGS", "VIRTUAL_ENV"): os.environ.pop(k, None)
    t_all = time.time()
    Path(args.work).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="yolc_nb_colab_", dir=args.work))
    os.environ.update(YOLC_NB_REPO_URL=REPO.as_uri() + "/", YOLC_NB_CACHE=str(tmp / "cache"), PIP_DISABLE_PIP_VERSION_CHECK="1",
                      PYDEVD_DISABLE_FILE_VALIDATION="1")
    results, added, changed, replaced = {}, [], {}, []
    try:
        t0 = time.time(); wheel = build_wheel(tmp); log(f"wheel: {wheel.name} ({time.time() - t0:.0f} s)")
        t0 = time.time(); py = make_venv(tmp, python, wheel, args.venv)
        os.environ["PATH"] = f"{py.parent}{os.pathsep}{os.environ['PATH']}"        # `pip`, `python` in the kernel: the venv's, as in Colab
        before = installed(py)
        log(f"venv: {sh([py, '--version']).strip()}, {len(before)} of Colab's packages at Colab's versions ({time.time() - t0:.0f} s)")
        plan = install_dry_run(py, tmp, wheel)
        replaced = [p for p in plan if p.split("==")[0] in before]
        log(f"the install cell's dry run: installs {len(plan)} packages, replaces {len(replaced)} of Colab's" + (f": {replaced}" if replaced else ""))
        for p in nbs:
            r = run_notebook(p, clean_folder(tmp / "runs", p.stem), wheel, tmp / "kernels", args.timeout)
            results[p.name] = r
            log(f"{'pass' if r['ok'] else 'FAIL'}  {p.name}  {r['seconds']:.1f} s  ({r['message'].splitlines()[0] if r['ok'] else 'see below'})")
            if not r["ok"]: log("  " + r["message"].replace("\n", "\n  "))
        after = installed(py)
        added = sorted(f"{n}=={v}" for n, v in after.items() if n not in before)
        changed = {n: f"{v} -> {after.get(n, 'removed')}" for n, v in before.items() if after.get(n) != v}
        log(f"the install added {len(added)} packages: {', '.join(added)}")
        log(f"Colab's packages changed by the install: {len(changed)}" + (f": {changed}" if changed else ""))
    finally:
        if args.keep: log(f"kept {tmp}")
        else: shutil.rmtree(tmp, ignore_errors=True)
    npass = sum(r["ok"] for r in results.values())
    slow = max(results.items(), key=lambda kv: kv[1]["seconds"], default=("-", {"seconds": 0.}))
    log(f"\nColab replica: {sum(r['seconds'] for r in results.values()):.0f} s running notebooks (slowest {slow[0]}, {slow[1]['seconds']:.0f} s), "
        f"{time.time() - t_all:.0f} s in all")
    if args.json:
        Path(args.json).write_text(json.dumps(dict(results=results, added=added, changed=changed, seconds=time.time() - t_all), indent=1))
    ok = results and npass == len(results) and not changed and not replaced
    log(f"{npass} passed, {len(results) - npass} failed" + ("" if not changed else f"; {len(changed)} of Colab's packages changed"))
    return 0 if ok else 1

def find_python313() -> str | None:
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    cands = sorted(root.glob("3.13*/bin/python3.13"), key=lambda p: [int(x) for x in re.findall(r"\d+", p.parts[-3])])
    return str(cands[-1]) if cands else shutil.which("python3.13")

if __name__ == "__main__":
    sys.exit(main())
