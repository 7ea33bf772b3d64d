"""The ``plvm-photos`` command linked into the user's command folder, and what the user is told
where their PATH, now or in a new shell, does not reach it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plvm_photos.demo import command
from plvm_photos.demo.command import install_link, new_shell_path, reach


def _script(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "plvm-photos"
    script.write_text("#!/bin/sh\necho ran\n")
    script.chmod(0o755)
    return script


def test_link_made_replaced_and_never_over_a_file_of_someone_else(tmp_path):
    one, two = _script(tmp_path / "one" / "bin"), _script(tmp_path / "two" / "bin")
    bin_dir = tmp_path / "home" / ".local" / "bin"
    first = install_link(bin_dir, one)
    assert first.link == bin_dir / "plvm-photos" and os.readlink(first.link) == str(one) and first.replaced is None
    assert install_link(bin_dir, one).replaced is None  # again: nothing to say
    assert install_link(bin_dir, two).replaced == one  # another clone's make demo: the newest wins, and says so
    (bin_dir / "plvm-photos").unlink()
    (bin_dir / "plvm-photos").write_text("pipx's, say")
    with pytest.raises(FileExistsError, match="left alone"):
        install_link(bin_dir, one)
    assert (bin_dir / "plvm-photos").read_text() == "pipx's, say"


def test_reach_by_name_where_the_path_has_it_else_by_absolute_path_and_advice(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SHELL", "/bin/bash")
    installed = install_link(home / ".local" / "bin", _script(tmp_path / "venv" / "bin"))
    bin_dir = str(installed.link.parent)

    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    fine = reach(installed, [bin_dir, "/usr/bin"])
    assert fine.how == "plvm-photos" and fine.advice == []

    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    here = reach(installed, [bin_dir, "/usr/bin"])  # new shells have it, this one does not (Debian's first login)
    assert here.how == str(installed.link)
    assert here.advice[-1] == '  export PATH="$HOME/.local/bin:$PATH"'

    nowhere = reach(installed, ["/usr/bin", "/bin"])
    assert nowhere.how == str(installed.link)
    assert nowhere.advice[-1] == """  echo 'export PATH="$HOME/.local/bin:$PATH"' >> ~/.profile"""
    (home / ".bash_profile").write_text("")  # bash's login shell then reads this one, not ~/.profile
    assert reach(installed, ["/usr/bin"]).advice[-1].endswith(">> ~/.bash_profile")
    monkeypatch.setenv("SHELL", "/usr/bin/zsh")
    assert reach(installed, ["/usr/bin"]).advice[-1].endswith(">> ~/.zshenv")

    other = _script(tmp_path / "elsewhere")  # another plvm-photos comes first on the PATH
    monkeypatch.setenv("PATH", f"{other.parent}:{bin_dir}")
    shadowed = reach(installed, [bin_dir])
    assert shadowed.how == str(installed.link) and "another plvm-photos" in shadowed.advice[0]


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="no /bin/bash to start as a new shell")
def test_new_shell_path_is_what_the_start_up_files_make(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SHELL", "/bin/bash")
    monkeypatch.setenv("PATH", "/somewhere/this/shell/has:/usr/bin:/bin")
    before = new_shell_path()
    assert before is not None and "/somewhere/this/shell/has" not in before  # a new shell, not this one
    assert str(home / ".local" / "bin") not in before
    (home / ".profile").write_text('echo chatter\nPATH="$HOME/.local/bin:$PATH"\n')
    assert str(home / ".local" / "bin") in new_shell_path()
    assert command.profile_line(home / ".local" / "bin").endswith(">> ~/.profile")
