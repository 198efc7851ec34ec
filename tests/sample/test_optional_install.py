"""Without the optional dependency group `samples` (xlwt, msoffcrypto-tool), `cax sample` exits 2
and names the install command: it neither prints a traceback nor starts writing workbooks.

Each case runs the CLI in a fresh interpreter where one of the group's packages cannot be
imported (``sys.modules[name] = None`` makes ``import name`` raise ImportError), as if it had
never been installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

INSTALL = "uv sync --extra samples (or: pip install -e '.[samples]')"

SCRIPT = """
import sys
sys.modules[{module!r}] = None
sys.argv = ["cax", "sample", "--out", {out!r}]
from etl.cli import main
main()
"""


def _sample_without(module: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SCRIPT.format(module=module, out=str(out))],
                          capture_output=True, text=True, timeout=120)


def _assert_names_the_install(result: subprocess.CompletedProcess[str], out: Path) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert INSTALL in result.stdout, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert not out.exists() or not any(out.iterdir()), sorted(p.name for p in out.iterdir())


def test_sample_without_xlwt_names_the_install_command(tmp_path: Path) -> None:
    out = tmp_path / "landing"
    _assert_names_the_install(_sample_without("xlwt", out), out)


def test_sample_without_msoffcrypto_names_the_install_command(tmp_path: Path) -> None:
    out = tmp_path / "landing"
    _assert_names_the_install(_sample_without("msoffcrypto", out), out)
