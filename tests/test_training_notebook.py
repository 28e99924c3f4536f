"""The chapter-10 notebook: stored without outputs, runs cleanly, and really trains the network.

The notebook is executed here with nbclient, in this virtualenv's Python, from
the docs folder (as mkdocs-jupyter runs it).  Only the exercise stubs, tagged
``raises-exception``, may raise, and each must raise the learner check's
NotImplementedError.  The accuracy and training time are read from the
kernel's variables after the run, never from outputs stored in the file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "10-neural-network.ipynb"
PROBE = "PROBE "


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def is_tagged(cell) -> bool:
    return "raises-exception" in cell.metadata.get("tags", [])


def text_of(cell) -> str:
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


@pytest.fixture(scope="module")
def stored():
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="module")
def executed(stored):
    """The notebook after a fresh run, plus what its kernel reports at the end."""
    notebook = nbformat.from_dict(json.loads(json.dumps(stored)))  # a deep copy
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import json as _json, sys as _sys\n"
        f"print({PROBE!r} + _json.dumps({{'executable': _sys.executable, "
        "'test_accuracy': test_accuracy, 'train_seconds': train_seconds}))"
    ))
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        allow_errors=False,  # an error in any cell not tagged raises-exception fails the run
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    probe_text = text_of(notebook.cells[-1])
    assert probe_text.startswith(PROBE), probe_text
    return notebook, json.loads(probe_text[len(PROBE):])


def test_the_stored_notebook_has_no_outputs(stored):
    for cell in code_cells(stored):
        assert cell.outputs == [], cell.source[:80]
        assert cell.execution_count is None, cell.source[:80]


def test_the_stored_notebook_is_valid_and_titled(stored):
    nbformat.validate(stored)
    assert stored.cells[0].cell_type == "markdown"
    assert stored.cells[0].source.startswith("# 10. Training a neural network\n")
    assert "**Builds:**" in stored.cells[0].source
    assert stored.metadata.kernelspec.name == "python3"


def test_only_the_exercise_stubs_are_tagged_to_raise(stored):
    tagged = [cell.source for cell in code_cells(stored) if is_tagged(cell)]
    assert len(tagged) == 3
    calls = ["check_linear(Linear)", "check_cross_entropy(cross_entropy)", "check_sgd_step(SGD)"]
    for source, call in zip(tagged, calls):
        assert "raise NotImplementedError" in source
        assert source.rstrip().endswith(call)


def test_the_gradient_check_runs_before_the_training_loop(stored):
    sources = [cell.source for cell in code_cells(stored)]
    check = next(i for i, s in enumerate(sources) if "numerical_gradient(" in s)
    training = next(i for i, s in enumerate(sources) if "optimizer.step()" in s)
    assert check < training


def test_the_kernel_is_this_python(executed):
    _, probe = executed
    assert Path(probe["executable"]).resolve() == Path(sys.executable).resolve()


def test_errors_only_where_tagged_and_each_is_the_stub_message(executed):
    notebook, _ = executed
    messages = []
    for cell in code_cells(notebook):
        errors = [output for output in cell.outputs if output.output_type == "error"]
        if not is_tagged(cell):
            assert errors == [], cell.source[:80]
            continue
        assert len(errors) == 1, cell.source[:80]
        assert errors[0].ename == "NotImplementedError"
        messages.append(errors[0].evalue)
    assert messages == [
        "check_linear: Linear is not implemented yet. Fill in its body, then run check_linear again.",
        "check_cross_entropy: cross_entropy is not implemented yet. Fill in its body, then run check_cross_entropy again.",
        "check_sgd_step: SGD.step is not implemented yet. Fill in its body, then run check_sgd_step again.",
    ]


def test_every_solution_passes_its_check(executed):
    notebook, _ = executed
    printed = "".join(text_of(cell) for cell in code_cells(notebook))
    for check in ("check_linear", "check_cross_entropy", "check_sgd_step"):
        assert f"{check}: all tests passed\n" in printed


def test_the_gradient_check_agrees(executed):
    notebook, _ = executed
    printed = "".join(text_of(cell) for cell in code_cells(notebook))
    assert "every gradient agrees with finite differences" in printed


def test_training_reaches_the_target_accuracy(executed):
    notebook, probe = executed
    assert probe["test_accuracy"] >= 0.95
    # The budget: under 30 s on a 2-core CPU (it takes about a second).
    assert probe["train_seconds"] < 30
    printed = "".join(text_of(cell) for cell in code_cells(notebook))
    assert "epoch 30 " in printed  # progress was shown for every epoch
    assert f"RESULT {json.dumps({'test_accuracy': probe['test_accuracy'], 'train_seconds': probe['train_seconds']})}" in printed


def test_the_plots_are_drawn(executed):
    notebook, _ = executed
    images = [
        output for cell in code_cells(notebook) for output in cell.outputs
        if output.output_type == "display_data" and "image/png" in output.data
    ]
    assert len(images) >= 3  # sample digits, loss and accuracy curves, the grid of test digits
