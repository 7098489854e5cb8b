"""Render README.md from nbs/index.ipynb without Quarto (which cannot be installed offline here).

`python .ci/readme.py` writes README.md; `python .ci/readme.py --check` exits 1 when README.md is stale.
Markdown cells are copied; code cells not marked `#| hide` become python blocks; image paths are made
relative to the repository root. With Quarto installed, `nbdev-readme` gives an equivalent page.
"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render() -> str:
    nb = json.loads((root / "nbs" / "index.ipynb").read_text(encoding="utf-8"))
    out = []
    for c in nb["cells"]:
        src = "".join(c["source"]).strip("\n")
        if c["cell_type"] == "markdown":
            out.append(re.sub(r"\]\((?!https?:|#)([^)]+)\)", lambda m: f"](nbs/{m.group(1)})", src))
        elif c["cell_type"] == "code" and not re.match(r"#\|\s*(hide|export)", src) and src:
            out.append(f"```python\n{src}\n```")
    return "<!-- Generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->\n\n" + "\n\n".join(out) + "\n"

if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        if (root / "README.md").read_text(encoding="utf-8") != text:
            print("README.md is stale: run `python .ci/readme.py` and commit"); sys.exit(1)
    else: (root / "README.md").write_text(text, encoding="utf-8")
