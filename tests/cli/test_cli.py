"""The command line as a user drives it: real processes, exit codes, --json, help."""

import json
import os
import subprocess
import sys


CLI = [sys.executable, "-m", "plvm_photos"]


def run(*args, library=None, check=True):
    cmd = [*CLI, *(["--library", str(library)] if library else []), *map(str, args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def test_the_main_job_end_to_end(tmp_path, demo_set):
    refs, photos = demo_set
    lib = tmp_path / "lib"
    out = run("add-person", "<eileen>", refs["eileen"], library=lib).stdout
    assert "added <eileen>" in out
    run("add-person", "grace", refs["grace"], "--json", library=lib)
    scan = json.loads(run("scan", photos, "--json", library=lib).stdout)
    assert scan["analysed"] == 5 and scan["errors"] == 1 and scan["error_files"][0]["path"].endswith("notes.jpg")
    assert json.loads(run("scan", photos, "--json", library=lib).stdout)["analysed"] == 0
    answer = json.loads(run("ask", "photos with <eileen> and <grace>", "--json", library=lib).stdout)
    assert len(answer["photos"]) == 2
    people = json.loads(run("people", "--json", library=lib).stdout)
    assert people == [
        {"name": "eileen", "kind": "person", "photos": 3, "references": 1},
        {"name": "grace", "kind": "person", "photos": 3, "references": 1},
    ]
    verdicts = json.loads(run("verdicts", "--json", library=lib).stdout)
    assert {"path", "person", "present", "score", "box"} == set(verdicts[0])
    assert sum(v["present"] for v in verdicts) == 6
    assert (lib / "library.db").exists() and (lib / "index.faiss").exists()
    assert len(list((lib / "references").iterdir())) == 2


def test_errors_are_messages_not_tracebacks(tmp_path, sample_photos, demo_set):
    lib = tmp_path / "lib"
    proc = run("add-person", "cup", sample_photos["coffee"], library=lib, check=False)
    assert proc.returncode == 2 and "error: " in proc.stderr and "no face" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run("ask", "where is <nobody>?", library=lib, check=False)
    assert proc.returncode == 3 and "nobody is registered yet" in proc.stderr and "add-person" in proc.stderr
    proc = run("add-person", "x/y", sample_photos["astronaut"], library=lib, check=False)
    assert proc.returncode == 2 and "invalid name" in proc.stderr
    proc = run("ask", "tell me a joke", library=lib, check=False)
    assert proc.returncode == 3 and "tell me a joke" in proc.stderr and 'try "' in proc.stderr and not proc.stdout


def test_library_from_environment(tmp_path, demo_set):
    refs, _ = demo_set
    env = {**os.environ, "PLVM_LIBRARY": str(tmp_path / "envlib")}
    subprocess.run([*CLI, "add-person", "grace", str(refs["grace"])], check=True, env=env, capture_output=True)
    assert (tmp_path / "envlib" / "library.db").exists()


def test_default_library_is_in_the_xdg_data_dir(tmp_path, monkeypatch):
    from plvm_photos.store.layout import default_root

    monkeypatch.delenv("PLVM_LIBRARY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_root() == tmp_path / "plvm-photos"


def test_every_command_has_help():
    from typer.main import get_command

    from plvm_photos.cli import app as cli

    cli.register_command_modules()
    root = get_command(cli.app)
    stack = [root]
    while stack:
        command = stack.pop()
        assert (command.help or "").strip(), f"{command.name} has no help text"
        stack.extend(getattr(command, "commands", {}).values())
    assert "add-person" in run("--help").stdout


def test_db_upgrade(tmp_path):
    out = run("db", "upgrade", library=tmp_path / "lib").stdout
    assert "head" in out


def test_read_only_commands_on_a_folder_without_a_library_create_nothing(tmp_path):
    for args in (["ask", "who is in x.jpg?"], ["people"], ["verdicts"], ["faces", "--unknown"]):
        done = subprocess.run([*CLI, "--library", str(tmp_path / "none"), *args], capture_output=True, text=True)
        assert done.returncode == 2 and "no library in" in done.stderr and "Traceback" not in done.stderr, args
    shown = subprocess.run([*CLI, "--library", str(tmp_path / "none"), "config", "engine"], capture_output=True, text=True)
    assert shown.returncode == 0 and shown.stdout.strip() == "engine = face"  # the defaults, read from nowhere
    assert not (tmp_path / "none" / "library.db").exists()


def test_library_that_is_a_file_and_add_person_with_a_folder_are_one_line_errors(tmp_path, demo_set):
    refs, _ = demo_set
    (tmp_path / "file").write_text("not a folder")
    done = subprocess.run([*CLI, "--library", str(tmp_path / "file"), "people"], capture_output=True, text=True)
    assert done.returncode == 2 and "is a file" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([*CLI, "--library", str(tmp_path / "lib"), "add-person", "grace", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "is a folder" in done.stderr


def test_faces_of_a_photo_that_could_not_be_decoded_says_why(tmp_path, demo_set):
    refs, _ = demo_set
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    subprocess.run([*CLI, "--library", str(tmp_path / "lib"), "scan", str(photos), "-q"], check=True, capture_output=True)
    done = subprocess.run([*CLI, "--library", str(tmp_path / "lib"), "faces", str(photos / "broken.jpg")],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "could not be analysed" in done.stderr
