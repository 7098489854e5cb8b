#!/usr/bin/env python
"""Store every notebook's outputs: run it and write its figures, tables and prints into `nbs/*.ipynb`.

GitHub and the docs site show a notebook's stored outputs; nothing runs there. This runs each notebook with
nbclient in this environment (the editable kit), in a temporary copy of `nbs/` (cwd, like nbdev-test),
one torch thread, the shared VisDrone layouts when they are beside the repo, and then, per code cell:
- cells nbdev-test skips (`#| slow`, `#| gpu`, `#| eval: false`) do not run; they keep their stored outputs
  only when these came from their current source (a manual run), else they are cleared;
- every other cell gets the outputs of this run and, in its metadata, `yolc_nb.source_sha256`: the hash of
  the source that produced them (`tests/check_outputs.py` fails when a cell's source changed since);
- widgets keep their first figure as a plain image (their static fallback: GitHub cannot run a widget), the
  widget views themselves are dropped; absolute paths of this machine are replaced.
A notebook is written (atomically, then `nbdev-clean`) only when all its cells ran without an error.

    python tests/refresh_outputs.py [NOTEBOOK ...] [--timeout S] [--dpi N]

Widget cells run without nbclient's Output-widget mimic (`_nbutil.quiet_client`, which says why: with it, a
widget cell could wait for the whole cell timeout, the 600 s stall of the wheel run).
"""
from __future__ import annotations
import argparse, json, os, re, subprocess, sys, tempfile, time, shutil
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _nbutil import (NBS, REPO, OUTPUT_KEY, SLOW_CELL_S, WIDGET_VIEW, load_nb, notebooks, quiet_client,  # noqa: E402
                     skipped_by_nbdev_test, source_hash, stored_hash, tst_flags)

MAX_NB_BYTES = 3 * 2**20

def log(*a): print(*a, flush=True)

def path_scrubber(roots: dict):
    "A function that replaces `roots` ({absolute path: replacement}) and any other absolute path of this machine in text."
    pairs = sorted(((str(k), v) for k, v in roots.items()), key=lambda kv: -len(kv[0]))
    site = re.compile(r"(?<![\w.])/\S*?/site-packages/")
    cell = re.compile(r"(?<![\w.])/tmp/ipykernel_\d+/\d+\.py")               # the file name ipykernel gives a cell
    tmp = re.compile(r"(?<![\w.])/(?:tmp|dev/shm)/[^/\s'\"),:]+")           # a temporary folder: keep what lies under it
    other = re.compile(r"(?<![\w.])/(?:work|tmp|root|home|dev/shm)/[^\s'\"),:]*")
    def scrub(s: str) -> str:
        for k, v in pairs: s = s.replace(k, v)
        return other.sub("<path>", tmp.sub("<tmp>", cell.sub("<cell>", site.sub("site-packages/", s))))
    return scrub

def tidy_outputs(outputs: list, scrub) -> list:
    "Drop widget views (their figure is already an image output), scrub paths in text, drop empty streams."
    kept = []
    for o in outputs:
        o = dict(o)
        if WIDGET_VIEW in o.get("data", {}): continue
        if o.get("output_type") == "stream":
            o["text"] = scrub(o["text"] if isinstance(o["text"], str) else "".join(o["text"]))
            if not o["text"].strip(): continue
        if "data" in o:
            o["data"] = {k: (scrub(v if isinstance(v, str) else "".join(v)) if k.startswith("text/") else v) for k, v in o["data"].items()}
        if o.get("output_type") == "error":
            o["traceback"] = [scrub(t) for t in o.get("traceback", [])]
        kept.append(o)
    return kept

def run_notebook(path: Path, work: Path, timeout: int, dpi: int, flags: set, scrub):
    "Run a copy of `path` (in `work`, a copy of nbs/); returns ({cell id: outputs}, {cell id: seconds})."
    import nbformat
    shutil.copy2(path, work / path.name)        # the notebook as it is now (the folder was copied at the start)
    nb = nbformat.read(work / path.name, as_version=4)
    nb.cells = [c for c in nb.cells if not skipped_by_nbdev_test(c, flags)]
    setup = nbformat.v4.new_code_cell(f"%matplotlib inline\nimport matplotlib as _mpl; _mpl.rcParams['figure.dpi'] = {dpi}")
    setup["id"] = "refresh-setup"
    nb.cells.insert(0, setup)
    client = quiet_client()(nb, kernel_name="python3", timeout=timeout, startup_timeout=120, store_widget_state=False,
                            resources={"metadata": {"path": str(work)}})
    client.execute()
    outs = {c["id"]: (source_hash(c), tidy_outputs(c.get("outputs", []), scrub)) for c in nb.cells
            if c.cell_type == "code" and c["id"] != "refresh-setup"}
    return outs, {k: v for k, v in client.cell_seconds.items() if k != "refresh-setup"}

def apply_outputs(nb: dict, outs: dict, flags: set) -> dict:
    "Put the run's outputs and source hashes into `nb` (in place); returns counts for the log."
    n = dict(ran=0, kept=0, cleared=0, images=0, changed=0)
    for c in nb["cells"]:
        if c["cell_type"] != "code": continue
        md = c.setdefault("metadata", {})
        ran = outs.get(c.get("id"))
        if ran and ran[0] != source_hash(c): n["changed"] += 1     # edited while the notebook ran: its outputs are not this source's
        if ran and ran[0] == source_hash(c):
            c["outputs"] = ran[1]; md[OUTPUT_KEY] = {"source_sha256": ran[0]}; n["ran"] += 1
            n["images"] += sum("image/png" in o.get("data", {}) for o in c["outputs"])
        elif skipped_by_nbdev_test(c, flags) and c.get("outputs") and stored_hash(c) == source_hash(c): n["kept"] += 1
        else:
            n["cleared"] += bool(c.get("outputs")); c["outputs"] = []; md.pop(OUTPUT_KEY, None)
        c["execution_count"] = None
    return n

def write_nb(nb: dict, path: Path):
    "Write atomically (a temporary file beside it, then rename), then let nbdev-clean normalise it."
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    subprocess.run([shutil.which("nbdev-clean") or "nbdev-clean", "--fname", str(path)], cwd=REPO, check=True, capture_output=True)

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", help="notebook names in nbs/ (default: all)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per cell before the run stops (default 300)")
    ap.add_argument("--dpi", type=int, default=100, help="figure resolution of the stored images (default 100, the least tests/check_outputs.py accepts)")
    a = ap.parse_args(argv)
    names = [Path(n).name if n.endswith(".ipynb") else f"{n}.ipynb" for n in a.notebooks]
    paths = [NBS / n for n in names] if names else notebooks()
    if missing := [p.name for p in paths if not p.exists()]: log(f"no such notebook(s) in nbs/: {missing}"); return 2
    flags, failed, t_all = tst_flags(), [], time.time()
    os.environ.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    os.environ.pop("MPLBACKEND", None)
    shared = next((q / "shared" / "data" for q in REPO.parents if (q / "shared" / "data").is_dir()), None)
    if shared: os.environ["YOLC_NB_SHARED_DATA"] = str(shared)
    with tempfile.TemporaryDirectory(prefix="yolc_nb_refresh_") as t:
        work = Path(t) / "nbs"
        shutil.copytree(NBS, work, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_proc", "_docs"))
        # the copy is not a checkout: the repository files a notebook reads (`yolc_nb.notebooks.repo_file`) come from this one
        os.environ.update(YOLC_NB_REPO_URL=REPO.as_uri() + "/", YOLC_NB_CACHE=str(Path(t) / "cache"))
        roots = {work: "nbs", Path(t): ".", REPO: ".", Path.home(): "~"}
        if shared: roots[shared] = "../shared/data"
        scrub = path_scrubber(roots)
        for p in paths:
            t0 = time.time()
            try: outs, secs = run_notebook(p, work, a.timeout, a.dpi, flags, scrub)
            except Exception as e:
                failed.append(p.name)
                log(f"FAIL  {p.name} ({time.time() - t0:.0f} s), not written:\n  " + str(e)[-2000:].replace("\n", "\n  ")); continue
            nb = load_nb(p)
            n = apply_outputs(nb, outs, flags)
            write_nb(nb, p)
            size, (slow_id, slowest) = p.stat().st_size, max(secs.items(), key=lambda kv: kv[1], default=("-", 0.))
            log(f"ok    {p.name}: {n['ran']} cells ran, {n['images']} images, {n['kept']} skipped cells kept, {n['cleared']} cleared; "
                f"{size / 2**20:.2f} MB; slowest cell {slowest:.1f} s ({slow_id}); {time.time() - t0:.0f} s")
            if n["changed"]: log(f"      {n['changed']} cell(s) were edited while the notebook ran: their outputs were cleared; run again")
            if slowest > SLOW_CELL_S: log(f"      cell {slow_id} took over {SLOW_CELL_S} s: make it faster or mark it `#| slow`")
            if size > MAX_NB_BYTES: log(f"      over {MAX_NB_BYTES // 2**20} MB: lower --dpi or show fewer figures")
    log(f"\n{len(paths) - len(failed)} refreshed, {len(failed)} failed in {time.time() - t_all:.0f} s" + (f": {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
