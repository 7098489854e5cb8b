#!/usr/bin/env python
"""The docs site without Quarto: run nbdev's docs-time processing (`nbdev-proc-nbs`) and check what it produces.

Quarto cannot be installed offline, so this checks the step before it. In a temporary copy of the project
(`nbdev-proc-nbs` rewrites `nbs/nbdev.yml`, `nbs/sidebar.yml` and the module index), with the copied library
first on PYTHONPATH and nbdev's default workers, all notebooks in one run, as `nbdev-docs` processes them (with
its `--file-re`):
- every notebook is processed without error (docs time runs each notebook's import, export and show_doc cells,
  in nbdev's pool of worker processes, which start their own children with `spawn`); when the run fails, each
  notebook it left unprocessed is run again alone, so the failure is named by notebook;
- the sidebar nbdev generates lists every notebook and only pages (without nbdev-docs' `--file-re`, nbdev-proc-nbs
  lists every file under nbs/ in it: images, fixtures, styles.css);
- no cell mixes imports with other code (nbdev's warning "Found cells containing imports and other code"): nbdev
  runs every cell that contains an import at docs time, so such a cell's other code runs there too;
- every notebook produced a processed file in `_proc/`;
- bilingual tabsets (`::: {.panel-tabset group="lang"}`) are balanced and each has `## English` and `## 中文`
  (the distillation notebook, 07_kd_losses, must have at least one);
- no nbdev-only directive line (`#| export`, `#| hide`, `#| default_exp`, ...) is left in a shown code cell;
- `nbdev-proc-nbs` changes no file under `nbs/` but the sidebar it generates (`sidebar.yml`, which git ignores):
  in particular `nbs/nbdev.yml` is committed exactly as nbdev writes it (`nbdev.quarto.refresh_quarto_yml`, from
  `pyproject.toml`), so a docs build leaves the checkout clean;
- no absolute path of a machine (`/work/`, `/tmp/`, `/root/`, `/home/`) appears in a processed file;
- every notebook, as committed and as processed, has `metadata.widgets` only with its `state` key
  (GitHub cannot render a notebook whose widget metadata lacks it);
- every figure stored in a notebook (an image output of a cell the docs show, i.e. not `#| hide`) is in the
  processed notebook (GitHub and the docs site show stored outputs; `tests/refresh_outputs.py` stores them);
- every image a markdown cell (or the reading-order page) links, by a relative path or by the repository's raw URL,
  exists under nbs/; a notebook (but index) links none by a relative path (in Colab a notebook is alone: only the
  raw URL shows);
- the reading-order page (`nbs/00-reading-order.md`: markdown, so that GitHub renders it too) is processed, links every
  notebook but index once, and is linked from the index notebook (hence the README) and the site's navbar (`_quarto.yml`);
- no docstring of the exported modules (module, functions, classes, methods) and no parameter comment show_doc
  shows with it (nbdev's docments) has a `*` outside backticks: show_doc renders them as markdown, where `B*H*W`
  or `x * y` starts italics (`**kwargs` in backticks is fine; so is an escaped `\\*`);
- the docs workflow (`.github/workflows/deploy.yaml`) exists and parses, runs on a push to main and by hand,
  installs the CPU torch/torchvision pair before the kit, installs Quarto, runs `nbdev-docs` and publishes the
  `doc_path` folder to GitHub Pages (upload-pages-artifact, deploy-pages, with `pages` and `id-token` write);
- with `--require-colab`: every notebook but index has the Colab install cell and the "Open in Colab" badge.

    python tests/check_docs.py [--require-colab] [--keep]

Prints one line per check, then `N passed, N failed`; exit status 1 on any failure.
"""
from __future__ import annotations
import argparse, ast, io, json, os, re, shutil, signal, subprocess, sys, tempfile, time, tokenize
from pathlib import Path
import yaml   # PyYAML, which nbdev needs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _nbutil import NBS, REPO, cell_source, directives, load_nb, nbdev_config, notebooks  # noqa: E402

TABSET_RE = re.compile(r'^:::+\s*\{\.panel-tabset\s+group="lang"\}\s*$')
DIV_OPEN_RE, DIV_CLOSE_RE = re.compile(r"^(:::+)\s*\S"), re.compile(r"^(:::+)\s*$")
NBDEV_ONLY = {"export", "exports", "exporti", "exec_doc", "hide", "default_exp", "export_to", "hide_line", "filter_stream"}
MACHINE_PATH_RE = re.compile(r"(?<![\w.])/(?:work|tmp|root|home)/")
WIDGET_MIME = "application/vnd.jupyter.widget-state+json"
BILINGUAL = "07_kd_losses"
COLAB_MARK, BADGE_MARK = "google.colab", "colab.research.google.com/github/"
ORDER_PAGE = "00-reading-order.md"
LINK_RE = re.compile(r"\]\(([\w.-]+\.ipynb)\)")
IMAGE_RE = re.compile(r"!\[[^\]]*\]\((?!https?:)([^)\s]+)")
RAW_IMAGES = "https://raw.githubusercontent.com/yolc-nb/yolc_nb/main/nbs/"   # how a notebook links its figures: Colab loads them from there
RAW_IMAGE_RE = re.compile(r"!\[[^\]]*\]\(" + re.escape(RAW_IMAGES) + r"([^)\s]+)")
PROC_TIMEOUT_S = 600     # the whole nbdev-proc-nbs run (about 25 s on 2 cores); a docs-time cell that hangs fails here
ALONE_TIMEOUT_S = 300    # one notebook run again alone, after a failed run
DOCS_FILE_RE = r"\.(?:ipynb|qmd|html)$"   # nbdev-docs' default --file-re (nbdev.quarto._def_file_re): the pages its sidebar lists
WORKFLOW = REPO / ".github" / "workflows" / "deploy.yaml"
CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1", re.S)   # a markdown code span: text between equal runs of backticks
NBDEV_WRITES = {"sidebar.yml"}   # what nbdev-proc-nbs may write under nbs/ (generated at docs time; .gitignore lists it)
MIXED_RE = re.compile(r"Found cells containing imports and other code\. See FAQ\.\n---\n(.*?)\n---\n", re.S)

def missing_images(text: str, base: Path) -> list[str]:
    "The images of markdown `text`, linked by a relative path or by the repository's raw URL (`RAW_IMAGES`), that are not under `base`."
    return [m for m in IMAGE_RE.findall(text) + RAW_IMAGE_RE.findall(text) if not (base / m).is_file()]

def images_by_cell(nb: dict, shown_only: bool) -> dict:
    "{cell id: number of image/png outputs} of the code cells (only those the docs show when `shown_only`)."
    return {c.get("id"): sum("image/png" in o.get("data", {}) for o in c.get("outputs", [])) for c in nb["cells"]
            if c["cell_type"] == "code" and not (shown_only and "hide" in directives(c))}

def order_problems(text: str, names: list[str]) -> list[str]:
    "Problems of the reading-order page: notebooks it does not link, links it repeats or that lead nowhere."
    links = LINK_RE.findall(text)
    probs = [f"no link to {n}" for n in names if n not in links]
    probs += [f"{n} linked {links.count(n)} times" for n in sorted(set(links)) if links.count(n) > 1]
    probs += [f"a link to {n}, which is not a notebook in nbs/" for n in sorted(set(links)) if n not in names]
    return probs

def log(*a): print(*a, flush=True)

class Checks:
    def __init__(self): self.results = []
    def __call__(self, name, ok, detail=""):
        self.results.append((name, bool(ok)))
        log(f"{'pass' if ok else 'FAIL'}  {name}" + (f"\n      {detail}".replace("\n", "\n      ") if detail and not ok else ""))
        return ok

def tabset_problems(md_lines: list[str]) -> tuple[list[str], int]:
    "Problems with the `{.panel-tabset group=\"lang\"}` divs in the markdown `md_lines` (in order, across cells)."
    probs, stack, n_tabsets = [], [], 0      # stack of (colons, is_tabset, headings)
    for i, line in enumerate(md_lines):
        s = line.rstrip()
        if m := DIV_CLOSE_RE.match(s):
            if not stack: probs.append(f"line {i}: `{s}` closes a div that was never opened"); continue
            colons, is_tab, heads = stack.pop()
            if is_tab:
                miss = [h for h in ("English", "中文") if h not in heads]
                if miss: probs.append(f"tabset {n_tabsets}: no `## {'` / `## '.join(miss)}` heading")
        elif m := DIV_OPEN_RE.match(s):
            is_tab = bool(TABSET_RE.match(s))
            n_tabsets += is_tab
            stack.append((m.group(1), is_tab, []))
        elif s.startswith("## ") and stack and stack[-1][1]:
            stack[-1][2].append(s[3:].strip())
    probs += [f"a div opened with `{c}` is never closed" + (" (a lang tabset)" if t else "") for c, t, _ in stack]
    return probs, n_tabsets

def widget_state_problem(nb: dict) -> str:
    w = nb.get("metadata", {}).get("widgets")
    if w is None: return ""
    if not isinstance(w, dict): return "metadata.widgets is not a mapping"
    bad = [k for k, v in w.items() if not (isinstance(v, dict) and "state" in v)]
    return f"metadata.widgets[{bad}] has no 'state' key" if bad else ""

def run_proc(args: list[str], proj: Path, env: dict, timeout: int) -> tuple[bool, str, float]:
    "`nbdev-proc-nbs *args` in `proj`: (succeeded, what it printed, seconds); past `timeout` its whole process group is killed."
    exe, t0 = shutil.which("nbdev-proc-nbs") or "nbdev-proc-nbs", time.time()
    p = subprocess.Popen([exe, *args], cwd=proj, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, start_new_session=True)   # its pool's workers share its group
    try: out, ok = p.communicate(timeout=timeout)[0], p.returncode == 0
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, ok = (p.communicate()[0] or "") + f"\ntimed out after {timeout} s: a cell run at docs time hangs", False
    return ok, out, time.time() - t0

def proc_error(out: str) -> str:
    """The lines of nbdev-proc-nbs's output that say what failed: its `Exception: Error in notebook ...` with the cell
and its error, after the errors printed before it (e.g. by a cell's own worker processes); else the last lines."""
    err = [l for l in out.strip().splitlines() if l.strip()]
    i = next((k for k, l in enumerate(err) if l.startswith("Exception: ")), None)
    if i is None: return "\n".join(err[-25:])
    j = next((k for k in range(i + 1, len(err)) if err[k].strip() == '"""' or err[k].startswith("The above exception")), len(err))
    before = dict.fromkeys(l for l in err[:i] if re.match(r"\w+(Error|Exception): ", l))
    return "\n".join([*before, *err[i:j][:40]])

def mixed_cells(out: str, nbs: list[Path]) -> list[str]:
    "The cells nbdev warned about mixing imports with other code, as `notebook cell <id>: first line`."
    found = []
    for src in dict.fromkeys(m.strip() for m in MIXED_RE.findall(out)):
        where = [f"{p.name} cell {c.get('id')}" for p in nbs for c in load_nb(p)["cells"]
                 if c["cell_type"] == "code" and src and cell_source(c).strip().endswith(src)]
        found.append(f"{', '.join(where) or 'a cell'}: {src.splitlines()[0]}")
    return found

def workflow_problems(wf: dict, doc_path: str = "_docs") -> list[str]:
    "What the docs workflow `wf` (parsed YAML) lacks of nbdev's standard deploy (fastai/workflows' quarto-ghp, written out)."
    if not isinstance(wf, dict): return ["not a mapping"]
    on = wf.get("on", wf.get(True)) or {}      # YAML 1.1 reads the key `on` as True
    on = {k: None for k in on} if isinstance(on, list) else on if isinstance(on, dict) else {on: None}
    branches = (on.get("push") or {}).get("branches") if isinstance(on.get("push"), dict) else None   # None: every branch
    probs = [] if "push" in on and (branches is None or "main" in branches) else ["does not run on a push to main"]
    if "workflow_dispatch" not in on: probs.append("cannot be run by hand (no workflow_dispatch)")
    jobs = wf.get("jobs") or {}
    steps = [st for j in jobs.values() for st in (j.get("steps") or [])]
    def first(pred):
        return next((i for i, st in enumerate(steps) if pred(str(st.get("run", "")), str(st.get("uses", "")), st)), None)
    torch = first(lambda r, u, st: re.search(r"pip install\b.*\btorch\b.*\btorchvision\b.*--index-url https://download\.pytorch\.org/whl/cpu", r))
    kit = first(lambda r, u, st: re.search(r"""pip install\b.*-e\s+["']?\.\[dev\]""", r))
    quarto = first(lambda r, u, st: u.startswith("quarto-dev/quarto-actions/setup@"))
    docs = first(lambda r, u, st: re.search(r"(^|\s|;|&&)nbdev[-_]docs\b", r))
    upload = first(lambda r, u, st: u.startswith("actions/upload-pages-artifact@"))
    for what, i in (("installs torch and torchvision from PyTorch's CPU index", torch), ('installs the kit (pip install -e ".[dev]")', kit),
                    ("installs Quarto (quarto-dev/quarto-actions/setup)", quarto), ("runs nbdev-docs", docs),
                    ("uploads the site (actions/upload-pages-artifact)", upload),
                    ("configures Pages (actions/configure-pages)", first(lambda r, u, st: u.startswith("actions/configure-pages@"))),
                    ("deploys it (actions/deploy-pages)", first(lambda r, u, st: u.startswith("actions/deploy-pages@")))):
        if i is None: probs.append(f"no step that {what}")
    if None not in (torch, kit) and torch > kit: probs.append("installs the kit before the CPU torch pair (pip would pull the CUDA wheels)")
    if None not in (kit, quarto, docs) and docs < max(kit, quarto): probs.append("runs nbdev-docs before the kit and Quarto are installed")
    if None not in (docs, upload):
        if upload < docs: probs.append("uploads the site before nbdev-docs renders it")
        if str((steps[upload].get("with") or {}).get("path", "")).strip("./") != doc_path: probs.append(f"uploads a folder other than {doc_path}/")
    perms = [wf.get("permissions") or {}] + [j.get("permissions") or {} for j in jobs.values()]
    for k in ("pages", "id-token"):
        if not any(isinstance(pm, dict) and pm.get(k) == "write" for pm in perms): probs.append(f"no `{k}: write` permission")
    return probs

def changed_files(before: dict, folder: Path) -> list[str]:
    "The files under `folder` that differ from `before` ({relative path: bytes}): changed, added or removed, with a diff for text."
    import difflib
    after = {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()}
    out = []
    for k in sorted((before.keys() | after.keys()) - NBDEV_WRITES):
        if before.get(k) == after.get(k): continue
        if k not in after: out.append(f"{k}: removed"); continue
        if k not in before: out.append(f"{k}: added"); continue
        diff = difflib.unified_diff(before[k].decode(errors="replace").splitlines(), after[k].decode(errors="replace").splitlines(),
                                    f"{k} (committed)", f"{k} (as nbdev writes it)", lineterm="", n=1)
        out.append(f"{k}: changed" + ("\n" + "\n".join(list(diff)[:30]) if k.endswith((".yml", ".yaml", ".md", ".css")) else ""))
    return out

def loose_stars(text: str) -> int:
    "How many `*` of markdown `text` stand outside code spans (and are not escaped `\\*`): each may start italics."
    return CODE_SPAN_RE.sub("", text.replace("\\*", "")).count("*")

def star_problems(path: Path) -> list[str]:
    """`module:object` (or `module:object (comment on line N)`) for each docstring of module `path` (the module's, its functions',
classes' and methods') and each parameter comment show_doc shows with one (docments: the comments in a `def`'s
signature, and beside a class's fields) that has a `*` outside backticks."""
    src = path.read_text(encoding="utf-8")
    toks = list(tokenize.generate_tokens(io.StringIO(src).readline))
    comments = {t.start[0]: t.string.lstrip("#").strip() for t in toks if t.type == tokenize.COMMENT}
    def header_end(line):   # the line of the `:` that ends the `def` starting on `line`
        depth, seen = 0, False
        for t in toks:
            if t.start[0] < line: continue
            seen |= t.type == tokenize.NAME and t.string == "def"
            if seen and t.type == tokenize.OP:
                depth += t.string in "([{"; depth -= t.string in ")]}"
                if t.string == ":" and depth == 0: return t.start[0]
        return line
    mod, out = path.stem, []
    def visit(node, prefix):
        doc, name = ast.get_docstring(node, clean=False), prefix.rstrip(".") or "<module>"
        if doc and loose_stars(doc): out.append(f"{mod}:{name}: {doc.splitlines()[0][:100]}")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for ln in range(node.lineno, header_end(node.lineno) + 1):
                if loose_stars(comments.get(ln, "")): out.append(f"{mod}:{name} (comment on line {ln}): {comments[ln][:100]}")
            return
        for n in node.body:
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): visit(n, f"{prefix}{n.name}.")
            elif isinstance(node, ast.ClassDef) and isinstance(n, (ast.AnnAssign, ast.Assign)) and loose_stars(comments.get(n.end_lineno, "")):
                out.append(f"{mod}:{name} (comment on line {n.end_lineno}): {comments[n.end_lineno][:100]}")
    visit(ast.parse(src), "")
    return out

def stub_quarto(bin_dir: Path):
    "A `quarto` that only fails: nbdev-proc-nbs otherwise tries to download and `sudo dpkg -i` Quarto."
    bin_dir.mkdir(parents=True, exist_ok=True)
    q = bin_dir / "quarto"
    q.write_text("#!/bin/sh\necho 'quarto is a stub (tests/check_docs.py): install Quarto to render the site' >&2\nexit 1\n")
    q.chmod(0o755)

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--require-colab", action="store_true", help="also require the Colab install cell and badge")
    ap.add_argument("--keep", action="store_true", help="keep the temporary project copy (with its _proc/) and print it")
    args = ap.parse_args(argv)
    ck, t_all = Checks(), time.time()
    nbs = notebooks()

    log("== committed notebooks")
    for p in nbs:
        prob = widget_state_problem(load_nb(p))
        ck(f"widget state: {p.name}", not prob, prob)
    if args.require_colab:
        for p in nbs:
            if p.name == "index.ipynb": continue
            src = [cell_source(c) for c in load_nb(p)["cells"]]
            ok = any(COLAB_MARK in s for s in src[:3]) and any(BADGE_MARK in s for s in src[:4])
            ck(f"colab cell and badge: {p.name}", ok, "run tests/add_colab_cells.py")

    for p in [*nbs, NBS / ORDER_PAGE]:
        text = p.read_text(encoding="utf-8") if p.suffix != ".ipynb" else "\n".join(
            cell_source(c) for c in load_nb(p)["cells"] if c["cell_type"] == "markdown")
        miss = missing_images(text, NBS)
        ck(f"linked images exist: {p.name}", not miss, "missing: " + ", ".join(miss))
        if p.suffix == ".ipynb" and p.name != "index.ipynb":   # a notebook opened in Colab is alone: a relative link shows nothing
            rel = IMAGE_RE.findall(text)
            ck(f"images linked so Colab shows them: {p.name}", not rel, f"link these by {RAW_IMAGES}...: {rel}")

    log("== docstrings of the exported modules (show_doc renders them as markdown)")
    lib = REPO / nbdev_config().get("lib_path", "yolc_nb")
    for f in sorted(lib.glob("*.py")):
        if f.name.startswith("_"): continue      # _modidx.py: nbdev's index, no docs
        probs = star_problems(f)
        ck(f"no `*` outside backticks in a docstring: {f.relative_to(REPO)}", not probs,
           "put the math in backticks (`B*H*W`) or write ×:\n" + "\n".join(probs))

    log("== the docs workflow")
    rel = WORKFLOW.relative_to(REPO)
    try: wf, err = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8")), ""
    except (OSError, yaml.YAMLError) as e: wf, err = None, f"{type(e).__name__}: {e}"
    if ck(f"docs workflow exists and parses: {rel}", not err, err):
        probs = workflow_problems(wf, Path(nbdev_config().get("doc_path", "_docs")).name)
        ck(f"docs workflow installs the CPU torch pair, then the kit and Quarto, runs nbdev-docs, deploys Pages: {rel}",
           not probs, "\n".join(probs))

    index_md = "\n".join(cell_source(c) for c in load_nb(NBS / "index.ipynb")["cells"] if c["cell_type"] == "markdown")
    navbar = ((yaml.safe_load((NBS / "_quarto.yml").read_text(encoding="utf-8")) or {}).get("website") or {}).get("navbar") or {}
    hrefs = [i.get("href") for side in ("left", "right") for i in (navbar.get(side) or []) if isinstance(i, dict)]
    miss = [w for w, ok in (("index.ipynb", f"]({ORDER_PAGE})" in index_md), ("the navbar of _quarto.yml", ORDER_PAGE in hrefs)) if not ok]
    ck(f"reading-order page linked from index.ipynb and the navbar: {ORDER_PAGE}", not miss, "no link from " + " or ".join(miss))

    tmp = Path(tempfile.mkdtemp(prefix="yolc_nb_docs_"))
    try:
        proj = tmp / "proj"
        proj.mkdir()
        for f in ("pyproject.toml", "README.md", "LICENSE"):
            if (REPO / f).exists(): shutil.copy2(REPO / f, proj / f)
        ign = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "_proc", "_docs", ".quarto")
        shutil.copytree(NBS, proj / "nbs", ignore=ign)
        shutil.copytree(REPO / "yolc_nb", proj / "yolc_nb", ignore=ign)
        env = {**os.environ}
        env.pop("YOLC_NB_SHARED_DATA", None)
        if not shutil.which("quarto"):
            stub_quarto(tmp / "bin")
            env["PATH"] = f"{tmp / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = os.pathsep.join([str(proj), *filter(None, [env.get("PYTHONPATH")])])   # the copied library, not an installed one
        log("== nbdev-proc-nbs, all notebooks, nbdev's default workers (as nbdev-docs runs it)")
        committed = {str(f.relative_to(proj / "nbs")): f.read_bytes() for f in sorted((proj / "nbs").rglob("*")) if f.is_file()}
        ok, out, dt = run_proc(["--file-re", DOCS_FILE_RE], proj, env, PROC_TIMEOUT_S)   # nbdev-proc-nbs's own default (none) puts every file in the sidebar
        ck(f"nbdev-proc-nbs ({dt:.1f} s)", ok, proc_error(out))
        changed = changed_files(committed, proj / "nbs")
        ck("nbdev-proc-nbs changes nothing under nbs/ (nbdev.yml committed as nbdev writes it)", not changed,
           "commit what nbdev writes (nbdev-proc-nbs in the repo, or nbdev.quarto.refresh_quarto_yml for nbdev.yml):\n" + "\n".join(changed))
        side = yaml.safe_load((proj / "nbs" / "sidebar.yml").read_text(encoding="utf-8")) if (proj / "nbs" / "sidebar.yml").exists() else {}
        listed = ((side.get("website") or {}).get("sidebar") or {}).get("contents") or []
        probs = [f"{p.name} not listed" for p in nbs if p.name not in listed]
        probs += [f"{x} listed, not a page" for x in listed if not (isinstance(x, str) and re.search(DOCS_FILE_RE, x))]
        ck("sidebar, as nbdev-docs generates it, lists every notebook and only pages", not probs, "\n".join(probs))
        mixed = mixed_cells(out, nbs)
        ck("no cell mixes imports with other code (nbdev runs it at docs time)", not mixed,
           "put the imports in a cell of their own:\n" + "\n".join(mixed))
        if not ok:
            for p in nbs:
                if (proj / "_proc" / p.name).exists(): continue
                ok1, out1, dt1 = run_proc(["--file-re", DOCS_FILE_RE, "--file-glob", p.name], proj, env, ALONE_TIMEOUT_S)
                ck(f"nbdev-proc-nbs, {p.name} alone ({dt1:.1f} s)", ok1, proc_error(out1))

        proc = proj / "_proc"
        log("== the processed files")
        for p in nbs:
            q = proc / p.name
            if not ck(f"processed file: {p.name}", q.exists(), f"no {q.relative_to(proj)}"): continue
            nb = load_nb(q)
            md = [l for c in nb["cells"] if c["cell_type"] == "markdown" for l in cell_source(c).splitlines()]
            probs, n_tab = tabset_problems(md)
            if p.stem == BILINGUAL and n_tab == 0: probs.append('no `::: {.panel-tabset group="lang"}` tabset')
            if n_tab or p.stem == BILINGUAL or probs:
                ck(f"lang tabsets balanced, English and 中文: {p.name} ({n_tab} tabset(s))", not probs, "\n".join(probs))
            left = [f"cell {i}: {k}" for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
                    for k in directives(c) if k in NBDEV_ONLY]
            ck(f"no nbdev directive left visible: {p.name}", not left, "; ".join(left[:10]))
            prob = widget_state_problem(nb)
            ck(f"widget state (processed): {p.name}", not prob, prob)
            want, got = images_by_cell(load_nb(p), shown_only=True), images_by_cell(nb, shown_only=False)
            lost = [f"cell {k}: {n} image(s) stored, {got.get(k, 0)} processed" for k, n in want.items() if n and got.get(k, 0) < n]
            ck(f"stored figures kept: {p.name} ({sum(want.values())} figure(s))", not lost, "\n".join(lost))
        order = proc / ORDER_PAGE
        if ck(f"reading-order page processed: {ORDER_PAGE}", order.exists(), f"no _proc/{ORDER_PAGE}"):
            probs = order_problems(order.read_text(encoding="utf-8"), [p.name for p in nbs if p.name != "index.ipynb"])
            ck(f"reading-order page links every notebook once: {ORDER_PAGE}", not probs, "\n".join(probs))
        hits = []
        for f in sorted(proc.rglob("*")):
            if f.is_file() and f.suffix in (".ipynb", ".md", ".qmd", ".yml", ".yaml", ".html", ".json", ".txt"):
                for ln, line in enumerate(f.read_text(errors="replace").splitlines(), 1):
                    if m := MACHINE_PATH_RE.search(line):
                        hits.append(f"{f.relative_to(proc)}:{ln}: ...{line[max(0, m.start() - 40):m.end() + 40].strip()}...")
        ck("no absolute machine path in _proc/", not hits, "\n".join(hits[:10]))
    finally:
        if args.keep: log(f"kept {tmp}")
        else: shutil.rmtree(tmp, ignore_errors=True)
    npass = sum(ok for _, ok in ck.results)
    log(f"\ndocs checks in {time.time() - t_all:.1f} s")
    log(f"{npass} passed, {len(ck.results) - npass} failed")
    return 0 if npass == len(ck.results) else 1


if __name__ == "__main__":
    sys.exit(main())
