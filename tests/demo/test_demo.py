"""``make demo``'s program on the packaged pictures: it links the command, fills ~/plvm-photos-demo,
and its last line, run as printed from another folder, answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def test_the_demo_and_its_last_line_from_anywhere(tmp_path):
    script = Path(os.path.abspath(sys.executable)).parent / "plvm-photos"
    if not script.exists():
        pytest.skip(f"no {script}: plvm-photos is not installed in this environment (pip install -e .)")
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = home / ".local" / "bin"
    env = {**os.environ, "HOME": str(home), "PLVM_DEMO_DATA": str(tmp_path / "no-shared-data"), "SHELL": "/bin/sh",
           "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("PLVM_LIBRARY", None)
    proc = subprocess.run([sys.executable, "-m", "plvm_photos.demo", "--install-command", str(bin_dir)], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert os.readlink(bin_dir / "plvm-photos") == str(script)
    demo = home / "plvm-photos-demo"
    assert (demo / "library" / "library.db").is_file() and (demo / "photos" / "2024-party" / "grace-and-eileen.jpg").is_file()
    assert "<grace> (left) and <eileen> (right)" in proc.stdout
    last = proc.stdout.rstrip().splitlines()[-1].strip()
    assert last == f"plvm-photos --library {demo / 'library'} ask 'where is <grace>?'"
    answer = subprocess.run(["/bin/sh", "-c", last], env=env, cwd="/", capture_output=True, text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.startswith("<grace> is in 3 photos:")
