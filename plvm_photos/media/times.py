"""Times in a video as answers write them: "0:12", "1:02:03", "0:12–0:40". Standard library only:
``ask`` prints them."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """0:07, 1:05, 1:02:03."""
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def span(start: float, end: float) -> str:
    """"0:12–0:40", or "0:12" where it was seen in one sampled frame."""
    a, b = clock(start), clock(end)
    return a if a == b else f"{a}–{b}"


def spans(segments) -> str:
    """"0:12–0:40, 1:05–1:10"."""
    return ", ".join(span(start, end) for start, end in segments)


def union(runs) -> list[tuple[float, float]]:
    """Overlapping or touching (start, end) runs joined, in order."""
    out: list[list[float]] = []
    for start, end in sorted(runs):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]
