"""``make demo``'s program on the packaged pictures, in a home folder of its own: it links the
command, fills ~/plvm-photos-demo, its last line answers as printed from another folder, and so
does every command of the README's "first ten minutes" (but `serve`, which runs until stopped,
and `service`, which tests/watch/test_service.py runs against a stand-in service manager)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    """(home, environment, the demo's output) after ``python -m plvm_photos.demo --install-command``."""
    script = Path(os.path.abspath(sys.executable)).parent / "plvm-photos"
    if not script.exists():
        pytest.skip(f"no {script}: plvm-photos is not installed in this environment (pip install -e .)")
    home = tmp_path_factory.mktemp("home")
    bin_dir = home / ".local" / "bin"
    env = {**os.environ, "HOME": str(home), "PLVM_DEMO_DATA": str(home / "no-shared-data"), "SHELL": "/bin/sh",
           "PATH": f"{bin_dir}:{os.environ['PATH']}", "NO_COLOR": "1"}
    for name in ("PLVM_LIBRARY", "PLVM_DB", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        env.pop(name, None)
    proc = subprocess.run([sys.executable, "-m", "plvm_photos.demo", "--install-command", str(bin_dir)], env=env,
                          cwd=home, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert os.readlink(bin_dir / "plvm-photos") == str(script)
    return home, env, proc.stdout


def test_the_demo_and_its_last_line_from_anywhere(demo_home):
    home, env, out = demo_home
    demo = home / "plvm-photos-demo"
    assert (demo / "library" / "library.db").is_file() and (demo / "photos" / "2024-party" / "grace-and-eileen.jpg").is_file()
    assert "<grace> (left) and <eileen> (right)" in out
    last = out.rstrip().splitlines()[-1].strip()
    assert last == f"plvm-photos --library {demo / 'library'} ask 'where is <grace>?'"
    answer = subprocess.run(["/bin/sh", "-c", last], env=env, cwd="/", capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.startswith("<grace> is in 3 photos:")


def _first_ten_minutes() -> list[str]:
    section = README.read_text(encoding="utf-8").split("\n## The first ten minutes\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_the_readme_first_ten_minutes_as_printed(demo_home):
    home, env, _ = demo_home
    lines = _first_ten_minutes()
    assert lines[0] == "cd ~" and any(" serve" in line for line in lines) and any("service install" in line for line in lines)
    outputs = {}
    for line in lines:
        if line.startswith("plvm-photos serve") or line.startswith("plvm-photos service"):
            continue
        proc = subprocess.run(["/bin/sh", "-c", f"cd ~ && {line}"], env=env, cwd="/", capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, f"{line}\n{proc.stderr}"
        outputs[line.split("#")[0].strip()] = proc.stdout
    assert 'plvm-photos ask "photos with <grace> and <eileen>"' in outputs
    assert outputs['plvm-photos ask "photos with <grace> and <eileen>"'].startswith("2 photos with <grace> and <eileen>")
    assert outputs['plvm-photos ask "how many photos of <grace>?"'].startswith("3 photos with <grace>")
    assert (home / ".local" / "share" / "plvm-photos" / "library.db").is_file()  # the default library
