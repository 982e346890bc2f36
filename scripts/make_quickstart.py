"""Write notebooks/quickstart.ipynb (kept as code so the notebook stays reviewable)."""

from pathlib import Path

import nbformat

md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
cells = [
    md(
        "# jupyter_forge quickstart\n\n"
        "Describe a function in plain words with a few samples; jupyter_forge asks a model for it, "
        "checks it against the samples in a sandbox process, repairs it from the failures, and shows it "
        "for your approval. Approved tools are defined in this kernel and saved as notebooks in "
        "`./forge_tools/`.\n\n"
        "With no configuration the model is the **embedded local model** (Qwen2.5-Coder-0.5B-Instruct, "
        "served by llama.cpp on loopback; it works offline). Run a cell with `%%forge`, then click "
        "**Approve** in the widget. (In the headless quickstart run, `JUPYTER_FORGE_APPROVE=auto` approves "
        "tools whose samples pass, since nobody can click.)"
    ),
    code("%load_ext jupyter_forge\n%forge sandbox"),
    md(
        "## A tool from a request and samples\n\n"
        "`>>>` lines are examples with their expected output; `assert` lines are checks."
    ),
    code(
        "%%forge median --attempts 4\n"
        "Return the median of a list of numbers.\n"
        ">>> median([3, 1, 2])\n"
        "2\n"
        ">>> median([4, 1, 3, 2])\n"
        "2.5\n"
        "assert median([7]) == 7"
    ),
    md("Once approved, it is an ordinary function in the kernel:"),
    code("median([10, 2, 38, 23, 38, 23, 21])"),
    md(
        "## Samples can use your variables\n\n"
        "The model sees the *types and shapes* of variables the request mentions, never their data; "
        "samples that use them run in the sandbox with a copy."
    ),
    code('titles = ["Hello, World!", "  Data   Science 101 ", "What is new?"]'),
    code(
        "%%forge slugify --attempts 4\n"
        "Turn a title into a URL slug: make it lowercase, keep only letters, digits and spaces, "
        "then join the words with single hyphens.\n"
        '>>> slugify("Hello, World!")\n'
        "'hello-world'\n"
        'assert slugify(titles[1]) == "data-science-101"'
    ),
    code("[slugify(t) for t in titles]"),
    md(
        "## The tool library\n\nEach tool is a notebook that defines and tests it; `%forge load` brings them into another kernel."
    ),
    code("%forge list"),
    code("%forge show slugify"),
    md(
        "## Found before it is made\n\n"
        "Before asking the model, `%%forge` searches the libraries. A request an existing tool "
        "already covers gets that tool, with no model call (`--new` forges anyway):"
    ),
    code(
        "%%forge url_slug\n"
        "Make a URL slug from a title: lowercase, letters, digits and spaces, words joined with "
        "hyphens."
    ),
    code("%forge search slug for a title"),
    md("Calls of library tools are counted, so tools that don't earn their place can be retired:"),
    code("%forge stats"),
]
nb = nbformat.v4.new_notebook(cells=cells)
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nb.metadata["language_info"] = {"name": "python"}
target = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"
target.parent.mkdir(exist_ok=True)
nbformat.validate(nb)
nbformat.write(nb, target)
print(target)
