"""Never a silent wrong answer: what cannot be answered as asked is refused through the real
command line with exit code 3 and one line on stderr naming the part and a form to try; errors
about the library (an unknown person, a photo it does not have) keep exit code 2; nothing ends
in a traceback, whatever is typed."""

import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plvm_photos.errors import EXIT_ERROR, EXIT_REFUSED

FULL = "import sys; from plvm_photos.cli.app import main; sys.argv[0] = 'plvm-photos'; main()"
FAST = "import sys; from plvm_photos.launcher import main; sys.argv[0] = 'plvm-photos'; main()"

REFUSED = [
    ("tell me a joke", "tell me a joke"),
    ("photos of <obama> in Narnia", 'I don\'t know the place "Narnia"'),
    ("whre is <obama>?", 'did you mean "where is <obama>?"'),
    ("photos of <obama> or", "photos of <obama> or"),
    ("photos of <obama> in 2019 in 2020", "more than one time"),
    ("photos of <obama on the beach", "between < and >"),
    ("is <obama> dancing in two_people.jpg?", 'not "dancing"'),
    ("where is <obama> in two_people.jpg in 2019?", "one photo cannot also give a time or a place"),
    ("", "there is no question"),
    ("where is <nobody>?", "<nobody> is not a registered person"),
    ("photos of <a/b>", "is not a registered person"),
]
ERRORS = [
    ("who is in nowhere.jpg?", "no photo 'nowhere.jpg'"),
]


def _run(code: str, library, question: str, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, "-L", str(library), "ask", question, *flags],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("program", [FAST, FULL], ids=["fast", "full"])
@pytest.mark.parametrize("question, said", REFUSED)
def test_refusals_exit_3_with_one_line(ask_library_dir, program, question, said):
    done = _run(program, ask_library_dir, question)
    assert done.returncode == EXIT_REFUSED, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and said in lines[0]
    if question.strip():  # the part not understood is quoted, and a form that works is offered
        assert lines[0].startswith('error: "') or lines[0].startswith("error: I can't read \"")
        assert any(offer in lines[0] for offer in ('try "', 'e.g. "', "did you mean", "places are cities"))


@pytest.mark.parametrize("program", [FAST, FULL], ids=["fast", "full"])
@pytest.mark.parametrize("question, said", ERRORS)
def test_errors_about_the_library_exit_2(ask_library_dir, program, question, said):
    done = _run(program, ask_library_dir, question, "--json")
    assert done.returncode == EXIT_ERROR and said in done.stderr and done.stdout == ""
    assert "Traceback" not in done.stderr


def test_the_gallery_shows_a_refusal_as_a_message(ask_library):
    from plvm_photos.web.pages import ask_page

    html = ask_page(ask_library, "photos of <obama> in Narnia")
    assert "class=error" in html and "Narnia" in html
    assert "class=error" in ask_page(ask_library, "where is <nobody>?")


def _ask_in_process(library, question: str) -> tuple[int, str, str]:
    from plvm_photos import launcher

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["plvm-photos", "-L", str(library), "ask", question]
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                launcher.main()
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()


WORDS = ["photos", "of", "with", "in", "or", "and", "not", "without", "where", "is", "who", "how", "many", "left", "<obama>",
         "<biden>", "<nobody>", "Paris", "2019", "summer", "last", "beach.jpg", "two_people.jpg", "#1", "near", "<", ">",
         "'", '"', "?", ",", "(", ")", "only", "alone", "between", "Zoë", "李雷", "\t", "--"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.one_of(st.lists(st.sampled_from(WORDS), max_size=9).map(" ".join), st.text(max_size=40)))
def test_random_questions_are_answered_or_refused_in_one_line(ask_library_dir, text):
    if text.startswith("-"):
        return  # an option, not a question, for the command line
    code, out, err = _ask_in_process(ask_library_dir, text)
    assert "Traceback" not in err
    assert code in (0, EXIT_ERROR, EXIT_REFUSED), (text, code, err)
    if code == EXIT_REFUSED:
        assert out == "" and err.count("\n") == 1 and err.startswith("error: "), (text, err)
    elif code == 0:
        assert out and not err


@pytest.mark.parametrize("program", [FAST, FULL], ids=["fast", "full"])
def test_a_library_without_photos_says_which_command_scans_them(tmp_path, program):
    from plvm_photos.library import Library

    Library(tmp_path / "empty").close()
    done = _run(program, tmp_path / "empty", "photos from 2019")
    assert done.returncode == EXIT_ERROR
    assert done.stderr.strip() == 'error: no photos scanned yet; run "plvm-photos scan FOLDER"'
