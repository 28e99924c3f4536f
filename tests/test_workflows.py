"""The GitHub workflows (.github/workflows/*.yml), checked as part of the test command.

* ``check-jsonschema --builtin-schema vendor.github-workflows``: each file is a
  workflow GitHub accepts (the schema ships inside the package, no download).
* ``zizmor --offline``: a security audit of each workflow (actions pinned to a
  commit hash, checkouts that do not keep their credentials, template
  injection, excessive permissions, ...).  Any finding fails.
* Each action is pinned to a full commit hash with the version it is in a comment
  (``uses: actions/checkout@<40 hex> # v7.0.1``), so a reader can tell which
  release a hash is and the audit can tell it is pinned.

Both tools come from PyPI, pinned in requirements/dev.txt.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
BIN = Path(sys.executable).parent
USES = re.compile(r"^\s*-?\s*uses:\s*(?P<ref>\S+)(?P<comment>.*)$", re.M)
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^\s+#\s+v\d+(\.\d+)*\s*$")


def run(tool: str, *args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / tool), *map(str, args)], capture_output=True, text=True, cwd=ROOT
    )


def schema_check(path: Path) -> subprocess.CompletedProcess:
    return run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", path)


def audit(path: Path) -> subprocess.CompletedProcess:
    return run("zizmor", "--offline", "--no-progress", path)


def test_there_are_workflows():
    assert {p.name for p in WORKFLOWS} >= {"pages.yml", "release.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_github_schema(path):
    result = schema_check(path)
    assert result.returncode == 0, f"{path.name} is not a valid workflow:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_has_no_zizmor_finding(path):
    result = audit(path)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "No findings to report" in output, (
        f"zizmor --offline reports on {path.name}:\n{output}"
    )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_hash_with_their_version_in_a_comment(path):
    uses = USES.findall(path.read_text(encoding="utf-8"))
    assert uses, f"{path.name} uses no action?"
    for ref, comment in uses:
        if ref.startswith("./"):
            continue
        assert PINNED.match(ref) and VERSION_COMMENT.match(comment), (
            f"{path.name}: `uses: {ref}{comment}` should be owner/action@<40-hex commit> # vX.Y.Z"
        )


def test_the_release_publishes_with_trusted_publishing_not_a_token():
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert "secrets." not in text and "password" not in text
    assert re.search(r"id-token:\s*write", text)
    assert "twine upload" in text


# ------------------------------------------------- the checks catch the mistakes

BAD_WORKFLOW = """\
name: Bad
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.head_commit.message }}"
"""


def test_the_audit_fails_an_unpinned_action_and_kept_credentials(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text(BAD_WORKFLOW)
    result = audit(path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    for finding in ("unpinned-uses", "artipacked", "template-injection"):
        assert finding in output, output


def test_the_schema_check_fails_a_workflow_github_would_refuse(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text(BAD_WORKFLOW.replace("runs-on: ubuntu-latest\n", "runs_on: ubuntu-latest\n"))
    result = schema_check(path)
    assert result.returncode != 0, result.stdout
