#!/usr/bin/env python
"""Widgets in a real browser: JupyterLab + Debian's Chromium driven by Playwright.

For each notebook of `nbs/` with a widget (a code cell calling `interactive(`), in a temporary copy of `nbs/`:
open it in JupyterLab, run all cells (the cells nbdev-test skips, `#| slow`/`#| gpu`/`#| eval: false`,
are removed from the copy first), wait for the kernel to go idle, then exercise every control of every displayed
`ipywidgets.interactive` as a user would, each action followed by a screenshot of the output that must change:
  - each slider is moved with the keyboard (a big step first);
  - each menu (Dropdown), toggle-button group or radio group has each of its other options picked (at most
    MAX_OPTIONS of them), in order;
  - each check box or toggle button is switched, then switched back.
Sliders go first, then the other controls in the order shown. A control displayed disabled (e.g. 08_fusion's
threshold slider under a rule that reads no threshold) is logged, not failed, and looked at again after each
change of another control: once one has enabled it, it is exercised (the log says by which change).
The first before/after pair of each widget (the whole widget) is saved to `tests/browser/screenshots/`,
reduced under MAX_PNG bytes.
A notebook fails when a cell shows an error, the kernel dies, a widget does not render, an action leaves the
figure unchanged or makes an error appear, a widget has no control whose action changed the figure, a control
stays disabled under every choice the test made (when no menu was capped), or the notebook defines a widget
but displays none.

    python tests/browser/test_widgets.py [NOTEBOOK ...] [--timeout S] [--out DIR] [--headed]

Installs nothing: needs `chromium` on PATH (Debian: apt-get install chromium; or $CHROMIUM), `playwright`
(pip, used only as a driver: never `playwright install`) and `jupyterlab` + `ipywidgets` in this Python.
"""
from __future__ import annotations
import argparse, io, json, os, secrets, shutil, subprocess, sys, tempfile, time, urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _nbutil import NBS, REPO, free_port, has_widget, load_nb, notebooks, save_nb, strip_skipped  # noqa: E402

SHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
MAX_PNG = 150_000
NB_SEL = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"   # the notebook in the visible tab
ERROR_SEL = (f'{NB_SEL} .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
             f'{NB_SEL} .jp-RenderedText[data-mime-type*="error"]')
INTERACT_SEL = f"{NB_SEL} .widget-interact"
# The controls the test exercises (ipywidgets 8 classes): sliders, menus, check boxes, toggle/radio groups, toggle buttons.
CONTROL_SEL = (".widget-slider, .widget-hslider, .widget-vslider, .widget-dropdown, .widget-checkbox, .widget-toggle-buttons, "
               ".widget-radio, .widget-toggle-button")
MAX_OPTIONS = 6        # a menu or button group: at most this many other options are picked
CHANGE_WAIT = 60       # seconds to wait for the figure to change after an action
CONTROLS_JS = """(w, sel) => {
  const kind = e => { const c = e.classList;
    return c.contains('widget-dropdown') ? 'dropdown' : c.contains('widget-checkbox') ? 'checkbox'
         : c.contains('widget-toggle-buttons') ? 'buttons' : c.contains('widget-radio') ? 'radio'
         : c.contains('widget-toggle-button') ? 'toggle' : 'slider'; };
  return [...w.querySelectorAll(sel)]
    .filter(e => !e.closest('.widget-output') && !(e.parentElement && e.parentElement.closest('.widget-toggle-buttons, .widget-radio')))
    .map((e, i) => { e.setAttribute('data-ytest-ctl', String(i));
      const text = l => l.textContent.replace(/[\u200b\s]+/g, ' ').trim();   // a check box's indent label is a zero-width space
      const label = kind(e) === 'toggle' ? text(e) : [...e.querySelectorAll('.widget-label, .widget-label-basic')].map(text).find(t => t);
      return {i, kind: kind(e), label: label || null}; });
}"""
DISABLED_JS = """(e, kind) => kind === 'slider' ? (!e.querySelector('.noUi-handle') || !!e.querySelector('.noUi-target[disabled]'))
  : kind === 'toggle' ? e.disabled
  : [...e.querySelectorAll('select, input, button')].every(c => c.disabled)"""
OPTIONS_JS = """(e, kind) => {
  if (kind === 'dropdown') { const s = e.querySelector('select'); return [[...s.options].map(o => o.textContent), s.selectedIndex]; }
  const items = kind === 'radio' ? [...e.querySelectorAll('input[type=radio]')] : [...e.querySelectorAll('button')];
  const labels = items.map(i => (kind === 'radio' ? i.parentElement.textContent : i.textContent).trim());
  return [labels, items.findIndex(i => kind === 'radio' ? i.checked : i.classList.contains('mod-active'))];
}"""

# JupyterLab settings for the test: no news/update pop-ups, every cell kept in the DOM (no virtual scrolling).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

def log(*a): print(*a, flush=True)


class Lab:
    "A JupyterLab server on 127.0.0.1, a free port and a random token, serving `root` (a temporary folder)."
    def __init__(self, root: Path, tmp: Path):
        self.root, self.port, self.token = root, free_port(), secrets.token_hex(24)
        settings = tmp / "lab-settings"
        for rel, val in LAB_SETTINGS.items():
            p = settings / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(json.dumps(val))
        env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "ws"),
               "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "JUPYTER_DATA_DIR": str(tmp / "data"), "JUPYTER_CONFIG_DIR": str(tmp / "config"),
               "IPYTHONDIR": str(tmp / "ipython"), "PYTHONUNBUFFERED": "1",
               # the copy of nbs/ is not a checkout: the repository files a notebook reads (`repo_file`) come from this one
               "YOLC_NB_REPO_URL": REPO.as_uri() + "/", "YOLC_NB_CACHE": str(tmp / "cache")}
        # A venv made with --system-site-packages (CI's) imports the base Python's jupyterlab_widgets but would not see the lab
        # extension it installed under the base prefix's share/jupyter: without it every widget stays "Loading widget...".
        shared = [str(Path(pre) / "share" / "jupyter") for pre in dict.fromkeys((sys.prefix, sys.base_prefix))]
        env["JUPYTER_PATH"] = os.pathsep.join(shared + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p])
        env.pop("MPLBACKEND", None)      # the kernel must use matplotlib's inline backend, as in Lab and Colab
        env.pop("YOLC_NB_SHARED_DATA", None)
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
               "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=", "--ServerApp.terminals_enabled=False"]
        if hasattr(os, "geteuid") and os.geteuid() == 0: cmd.append("--allow-root")   # CI containers run as root
        self.log = open(tmp / "jupyterlab.log", "w")
        self.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 120
        while True:
            if self.proc.poll() is not None:
                self.log.flush()
                tail = "\n".join((tmp / "jupyterlab.log").read_text(errors="replace").splitlines()[-30:])
                raise RuntimeError(f"jupyterlab exited with {self.proc.returncode}:\n{tail}")
            try:
                self.api("status"); break
            except OSError:
                if time.time() > deadline: raise RuntimeError("jupyterlab did not answer within 120 s")
                time.sleep(0.5)

    def api(self, path, method="GET"):
        req = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def kernels(self) -> list[dict]: return self.api("kernels")

    def shutdown_kernels(self):
        for k in self.kernels():
            try: self.api(f"kernels/{k['id']}", "DELETE")
            except OSError: pass

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try: self.proc.wait(20)
            except subprocess.TimeoutExpired: self.proc.kill(); self.proc.wait()
        self.log.close()


def _png_small(data: bytes) -> bytes:
    "`data` (a PNG) as is when under MAX_PNG bytes, else reduced to a 256-colour palette, then halved until it fits."
    if len(data) <= MAX_PNG: return data
    from PIL import Image
    im = Image.open(io.BytesIO(data)).convert("RGB")
    while True:
        buf = io.BytesIO()
        im.quantize(256).save(buf, "PNG", optimize=True)
        if buf.tell() <= MAX_PNG or im.width < 200: return buf.getvalue()
        im = im.resize((im.width // 2, im.height // 2))


class Control:
    "One control of an `interactive`, found by `CONTROLS_JS` (which tags it `data-ytest-ctl=<i>`): its state and the user's actions on it."
    def __init__(self, w, tag, info: dict):
        self.tag, self.kind, self.i = tag, info["kind"], info["i"]
        self.label = info["label"] or f"{self.kind}{self.i}"
        self.loc = w.locator(f'[data-ytest-ctl="{self.i}"]')

    def disabled(self) -> bool: return self.loc.evaluate(DISABLED_JS, self.kind)

    def move_slider(self, page):
        "Move the slider with the keys (a big step first, for a visible change); (before, after) readouts, or None if it did not move."
        handle, readout = self.loc.locator(".noUi-handle").first, self.loc.locator(".widget-readout").first
        value = lambda: readout.inner_text() if readout.count() else handle.get_attribute("aria-valuenow")
        v0 = v1 = value()
        for key in ("PageUp", "PageDown", "ArrowRight", "ArrowLeft"):
            handle.focus()
            for _ in range(2): handle.press(key); page.wait_for_timeout(60)
            v1 = value()
            if v1 != v0: return v0, v1
        return None

    def checked(self) -> bool:
        if self.kind == "checkbox": return self.loc.locator("input[type=checkbox]").is_checked()
        return "mod-active" in (self.loc.get_attribute("class") or "")

    def toggle(self):
        if self.kind == "checkbox": self.loc.locator("input[type=checkbox]").click()
        else: self.loc.click()

    def options(self) -> tuple[list[str], int]:
        "The option labels and the index of the selected one (-1: none)."
        return self.loc.evaluate(OPTIONS_JS, self.kind)

    def pick(self, k: int):
        if self.kind == "dropdown": self.loc.locator("select").select_option(index=k)
        elif self.kind == "radio": self.loc.locator("input[type=radio]").nth(k).click()
        else: self.loc.locator("button").nth(k).click()


class NotebookCheck:
    "Open one notebook in Lab, run it, exercise its widgets; `problems` collects what failed."
    def __init__(self, page, lab: Lab, name: str, out: Path, timeout: float):
        self.page, self.lab, self.name, self.out, self.timeout = page, lab, name, out, timeout
        self.stem, self.problems, self.notes = Path(name).stem, [], []

    def fail(self, msg): self.problems.append(msg); log(f"  FAIL {msg}")

    def kernel_state(self) -> str:
        ks = self.lab.kernels()
        return ks[0]["execution_state"] if ks else "none"

    def wait_idle(self, timeout, settle=1.0) -> str:
        "Wait until the kernel reports idle for `settle` seconds; returns the last state seen."
        deadline, idle_since, st = time.time() + timeout, None, "none"
        while time.time() < deadline:
            st = self.kernel_state()
            if st == "dead": return st
            if st == "idle":
                idle_since = idle_since or time.time()
                if time.time() - idle_since >= settle: return st
            else: idle_since = None
            time.sleep(0.25)
        return st

    def run(self):
        page, t0 = self.page, time.time()
        page.goto(f"{self.lab.url}/lab/tree/{self.name}?reset&token={self.lab.token}")   # reset: no restored tabs
        page.wait_for_function("""() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
                   && w.sessionContext.session.kernel.connectionStatus === 'connected'
                   && w.sessionContext.session.kernel.status === 'idle'; }""", timeout=120_000)
        page.wait_for_selector(f"{NB_SEL} .jp-Cell", timeout=60_000)
        log(f"  opened, kernel idle ({time.time() - t0:.1f} s); running all cells")
        # Run -> Run All Cells: the command the menu item and the command palette call; resolves when every cell ran.
        ok = page.evaluate("async () => await window.jupyterapp.commands.execute('notebook:run-all-cells')")
        st = self.wait_idle(self.timeout)
        log(f"  ran all cells in {time.time() - t0:.1f} s, kernel {st}")
        if st != "idle": self.fail(f"kernel {st} after running all cells"); return
        pending = page.evaluate("""() => [...document.querySelectorAll('%s .jp-CodeCell .jp-InputPrompt')]
                                   .filter(p => !/\\[\\d+\\]/.test(p.textContent)).length""" % NB_SEL)
        errors = self.errors()
        if errors: self.fail(f"{len(errors)} cell(s) show an error, first:\n{errors[0][:1500]}")
        if ok is False or pending:
            self.fail(f"run all did not complete ({pending} code cell(s) without an execution count)")
        if self.problems: return
        self.widgets()
        errors = self.errors()
        if errors and not self.problems: self.fail(f"an error appeared while exercising the widgets:\n{errors[0][:1500]}")
        st = self.wait_idle(30)
        if st != "idle": self.fail(f"kernel {st} after exercising the widgets")

    def errors(self) -> list[str]:
        out = []
        for el in self.page.query_selector_all(ERROR_SEL):
            txt = el.inner_text()
            mime = el.get_attribute("data-mime-type") or ""
            if "error" in mime or "Traceback" in txt: out.append(txt)
        for el in self.page.query_selector_all(f"{NB_SEL} .jupyter-widgets"):
            txt = el.inner_text()
            if "Error displaying widget" in txt or "Error rendering" in txt: out.append(txt)
        return out

    def shot(self, loc) -> bytes:
        loc.scroll_into_view_if_needed()
        self.page.wait_for_timeout(150)
        return loc.screenshot(animations="disabled", caret="hide")

    def shot_widget(self, w) -> bytes:
        "The whole widget (sliders and figure), cut at the right edge of its widest part: the picture for the docs."
        w.scroll_into_view_if_needed()
        self.page.wait_for_timeout(150)
        box = w.bounding_box()
        right = w.evaluate("""e => Math.max(...[...e.querySelectorAll('.widget-output img, .widget-output svg, '
                              + '.widget-slider, .widget-hslider, .widget-dropdown, .widget-checkbox, .widget-label, .widget-readout')]
                              .map(c => c.getBoundingClientRect().right))""")
        width = min(box["width"], max(right - box["x"], 100) + 8) if right and right > box["x"] else box["width"]
        return self.page.screenshot(clip={"x": box["x"], "y": box["y"], "width": width, "height": box["height"]},
                                    animations="disabled", caret="hide")

    def widgets(self):
        page = self.page
        interacts = page.locator(INTERACT_SEL)
        try: interacts.first.wait_for(state="visible", timeout=20_000)
        except Exception: pass
        n = interacts.count()
        if n == 0:
            loading = page.locator(f"{NB_SEL} .jp-OutputArea-output", has_text="Loading widget").count()
            self.fail("the notebook defines an `interactive(` widget but none is displayed"
                      + (" (stuck at 'Loading widget...': widget extension missing?)" if loading else
                         " (end a cell that nbdev-test runs, not only a `#| slow` one, on `w`, not `w.result`)"))
            return
        log(f"  {n} widget(s)")
        for j in range(n):
            self.widget(interacts.nth(j), f"w{j}" if n > 1 else "w0")

    def widget(self, w, tag):
        "Exercise every control of one displayed `interactive`: sliders first, then the choices (menus, check boxes, buttons)."
        outl = w.locator(".widget-output").last
        try: outl.locator("img, .jp-RenderedImage, svg").first.wait_for(state="visible", timeout=30_000)
        except Exception:
            self.fail(f"{tag}: its output shows no figure (`interactive(f, ...)` does not display what f returns: "
                      "use `interactive(f, {'auto_display': True}, ...)` or call display(fig) inside f)"); return
        ctls = [Control(w, tag, c) for c in w.evaluate(CONTROLS_JS, CONTROL_SEL)]
        log(f"  {tag}: " + (", ".join(f"{c.kind} '{c.label}'" for c in ctls) or "no control"))
        self.fig, self.full, self.saved, self.moved = self.shot(outl), self.shot_widget(w), False, []
        self.pending: list[Control] = []        # disabled controls, tried again after each change of another
        self.capped = False                     # True when a menu had more options than the test picks
        for c in sorted(ctls, key=lambda c: c.kind != "slider"):   # the sliders first: a menu may disable some
            if c.disabled():
                self.note(f"{tag}/{c.label}: {c.kind} disabled as displayed; tried again after each change of another control")
                self.pending.append(c); continue
            self.exercise(c, w, outl)
        for c in self.pending:
            msg = f"{tag}/{c.label}: {c.kind} stayed disabled under every choice the test made"
            if self.capped: self.note(msg + f" (menus capped at {MAX_OPTIONS} other options)")
            else: self.fail(msg + ": a control no choice enables cannot be used")
        if not self.moved: self.fail(f"{tag}: no control was moved with a change of the figure")

    def exercise(self, c: Control, w, outl):
        "One control: a slider moved once with the keys, each other option of a menu picked, a check box toggled and back."
        if c.kind == "slider":
            self.step(c, w, outl, lambda: (f"'{c.label}' {v[0]} -> {v[1]}" if (v := c.move_slider(self.page)) else None),
                      f"{c.tag}/{c.label}: slider of a single value, cannot move")
        elif c.kind in ("checkbox", "toggle"):
            for _ in range(2):
                v0 = c.checked()
                self.step(c, w, outl, lambda: (c.toggle(), f"'{c.label}' {v0} -> {not v0}")[1])
        else:
            opts, cur = c.options()
            others = [k for k in range(len(opts)) if k != cur]
            if len(others) > MAX_OPTIONS: others, self.capped = others[:MAX_OPTIONS], True
            if not others: self.note(f"{c.tag}/{c.label}: {c.kind} of a single option, cannot change"); return
            for k in others:
                def pick(k=k):
                    prev = c.options()[1]
                    c.pick(k)
                    return f"'{c.label}' {opts[prev] if prev >= 0 else None!r} -> {opts[k]!r}"
                self.step(c, w, outl, pick)

    def step(self, c: Control, w, outl, act, why_not: str = "") -> bool:
        """Do `act` (one user action; returns what it did, or None when it could not act), wait for the kernel to redraw
        the figure; a failure when the figure stays the same or an error appears. Then exercise the controls it enabled."""
        old = self.errors()
        what = act()
        if what is None: self.note(why_not); return False
        deadline, after = time.time() + CHANGE_WAIT, self.fig
        while time.time() < deadline:      # the kernel redraws the figure: poll the screenshot until it changes
            self.wait_idle(30, settle=0.5)
            after = self.shot(outl)
            if after != self.fig: break
            self.page.wait_for_timeout(500)
        new = list((Counter(self.errors()) - Counter(old)).elements())   # errors that were not on the page before
        ok = not new and after != self.fig
        if new: self.fail(f"{c.tag}: {what}: an error appeared:\n{new[0][:1500]}")
        elif not ok: self.fail(f"{c.tag}: {what} left the figure unchanged")
        else: log(f"  {c.tag}: {what}: figure changed")
        self.fig = after
        if not ok: return False
        self.moved.append(what)
        if not self.saved: self.save(c.tag, "before", self.full); self.save(c.tag, "after", self.shot_widget(w)); self.saved = True
        if self.pending:
            self.page.wait_for_timeout(300)          # the `disabled` sync comes after the redraw's outputs
            for d in [d for d in self.pending if not d.disabled()]:
                if d not in self.pending: continue   # exercised already, by a nested step
                self.pending.remove(d)
                self.note(f"{d.tag}/{d.label}: {d.kind} enabled by {what}; exercised")
                self.exercise(d, w, outl)
        return True

    def note(self, msg): self.notes.append(msg); log(f"  note: {msg}")

    def save(self, tag, which, png):
        self.out.mkdir(parents=True, exist_ok=True)
        data = _png_small(png)
        dst = self.out / f"{self.stem}_{tag}_{which}.png"
        tmp = dst.with_suffix(".tmp.png")
        tmp.write_bytes(data); os.replace(tmp, dst)
        log(f"  saved {dst.relative_to(REPO) if dst.is_relative_to(REPO) else dst} ({len(data) // 1024} KB)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", help="notebook names in nbs/ (default: every notebook with a widget)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds to run one notebook's cells")
    ap.add_argument("--out", type=Path, default=SHOTS, help="where the before/after screenshots go")
    ap.add_argument("--headed", action="store_true", help="show the browser (debugging)")
    ap.add_argument("--nbs-dir", type=Path, default=NBS, help="the notebooks folder (a temporary copy is served)")
    args = ap.parse_args(argv)

    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium: log("chromium not found on PATH (Debian: apt-get install chromium)"); return 2
    from playwright.sync_api import sync_playwright

    names = [Path(n).name if n.endswith(".ipynb") else f"{n}.ipynb" for n in args.notebooks]
    nbs = [args.nbs_dir / n for n in names] if names else [p for p in notebooks(args.nbs_dir) if has_widget(p)]
    missing = [p.name for p in nbs if not p.exists()]
    if missing: log(f"no such notebook(s): {missing}"); return 2
    log(f"widget notebooks: {[p.name for p in nbs]}")
    results, t_all = {}, time.time()
    with tempfile.TemporaryDirectory(prefix="yolc_nb_browser_") as td:
        tmp = Path(td)
        root = tmp / "nbs"
        shutil.copytree(args.nbs_dir, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "_*", ".*"))
        for p in nbs:
            nb = load_nb(root / p.name)
            if strip_skipped(nb): save_nb(nb, root / p.name)
        lab = Lab(root, tmp)
        log(f"jupyterlab at {lab.url} ({time.time() - t_all:.1f} s)")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, headless=not args.headed, args=CHROMIUM_ARGS)
                for p in nbs:
                    log(f"== {p.name}")
                    t0 = time.time()
                    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                    console = []
                    page.on("pageerror", lambda e: console.append(str(e)))
                    chk = NotebookCheck(page, lab, p.name, args.out, args.timeout)
                    try: chk.run()
                    except Exception as e: chk.fail(f"{type(e).__name__}: {str(e)[:800]}")
                    finally:
                        page.context.close()
                        lab.shutdown_kernels()
                    for c in console[:3]: log(f"  page error: {c[:300]}")
                    results[p.name] = (not chk.problems, time.time() - t0)
                    log(f"-- {p.name}: {'passed' if not chk.problems else 'FAILED'} in {time.time() - t0:.1f} s")
                browser.close()
        finally:
            lab.stop()
            if any(not ok for ok, _ in results.values()):
                log("jupyterlab log (last 40 lines):")
                for line in (tmp / "jupyterlab.log").read_text(errors="replace").splitlines()[-40:]: log("  " + line)
    npass = sum(ok for ok, _ in results.values())
    log(f"\nbrowser widget test: {len(results)} notebook(s) in {time.time() - t_all:.1f} s")
    for n, (ok, dt) in results.items(): log(f"  {'pass' if ok else 'FAIL'}  {n}  {dt:.1f} s")
    log(f"{npass} passed, {len(results) - npass} failed")
    return 0 if npass == len(results) and results else (0 if not nbs else 1)


if __name__ == "__main__":
    sys.exit(main())
