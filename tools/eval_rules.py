"""Decision-rule experiments on the held-out halves of an evaluation set (how the tuning was done).

Usage: python -m tools.eval_rules DATASET [--jitters N] [--identities N] [--quick]

Every query photo is analysed once (``FaceEngine``, descriptor jitters N), every identity is
registered from its reference, and then each candidate rule decides every photo jointly (one face
is at most one person, one person at most once). Printed per rule: mean recognition accuracy on
the ``tune`` and ``holdout`` halves (``EvalSet.part``). A rule is worth keeping only where it wins
on the half it was not chosen on.

Rules: ``threshold T`` (the library's rule at distance T); ``hub T b`` (each person's distance is
raised by b x how much closer their reference lies to its 3 nearest other references than the
median person's does: references that sit near many faces get stricter); ``ratio T`` (between
0.55 and T, accept only when the best distance is < 0.9 x the face's second-best person).

With MTCNN beside HOG, "ratio 0.62" wins on the tune halves of both sets and holds on the holdout
halves, yet the product keeps the plain threshold: on the whole library set it turns 7 strangers'
faces into people (manifest precision 0.975 -> 0.898, ``python -m plvm_photos.evaluation.manifest``), a
price the mean of positive and negative accuracy hides because negatives outnumber positives 25:1.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np

from plvm_photos.engines.face.decide import FaceVector, distance_matrix
from plvm_photos.evaluation.data import EvalSet, load_eval_set


@dataclass
class Prepared:
    names: list[str]  # identity names, in column order
    refs: list[np.ndarray]
    photos: list[tuple[set[str], set[str], np.ndarray]]  # truth, unscored, faces x people distances


def prepare(data: EvalSet, jitters: int) -> Prepared:
    from plvm_model.evaluation import open_image

    from plvm_photos.engines.face.engine import FaceAnalyzer, FaceEngineConfig
    from plvm_photos.evaluation.engine_bench import LibraryBench
    from plvm_photos.imaging import from_pil

    analyzer = FaceAnalyzer(FaceEngineConfig(jitters=jitters))
    with LibraryBench({"engine": "face"}) as engine:
        keys = [engine.register(data.concept(i)) for i in data.identities]
        people, _ = engine.registered()
        by_key = {people.names[p.concept_id]: p for p in people.vectors}
        names = [i.name for i, k in zip(data.identities, keys) if k in by_key]
        persons = [by_key[k] for k in keys if k in by_key]
        photos = []
        for q in data.queries:
            analysis = analyzer.analyze(from_pil(open_image(q.path), analyzer.max_side))
            faces = [FaceVector(i, r.vector) for i, r in enumerate(analysis.regions)]
            photos.append((set(q.truth), set(q.unscored), distance_matrix(faces, persons)))
    return Prepared(names, [p.vectors for p in persons], photos)


def greedy(dist: np.ndarray, accept) -> set[int]:
    present: set[int] = set()
    taken: set[int] = set()
    if dist.size == 0:
        return present
    for flat in np.argsort(dist, axis=None, kind="stable"):
        i, j = divmod(int(flat), dist.shape[1])
        if i in taken or j in present or not accept(dist, i, j):
            continue
        taken.add(i)
        present.add(j)
    return present


def hub_offsets(refs: list[np.ndarray], k: int = 3) -> np.ndarray:
    if not refs:  # a half without identities (a set cut down to a few)
        return np.zeros(0)
    near = []
    for i, r in enumerate(refs):
        d = sorted(float(np.linalg.norm(r[:, None] - o[None], axis=2).min()) for j, o in enumerate(refs) if j != i)
        near.append(np.mean(d[:k]) if d else 1.0)
    near = np.asarray(near)
    return np.clip(np.median(near) - near, 0, None)


def accuracy(data: EvalSet, prep: Prepared, part: str, rule: tuple) -> float:
    sub = data.part(part)
    keep = {i.name for i in sub.identities}
    cols = [j for j, n in enumerate(prep.names) if n in keep]
    names = [prep.names[j] for j in cols]
    wanted = {data.relative(q.path): q for q in sub.queries}
    offsets = hub_offsets([prep.refs[j] for j in cols]) * rule[2] if rule[0] == "hub" else np.zeros(len(cols))
    right = {True: 0, False: 0}
    total = {True: 0, False: 0}
    for q, (_, _, dist) in zip(data.queries, prep.photos):
        cut = wanted.get(data.relative(q.path))
        if cut is None:
            continue
        d = dist[:, cols] + offsets[None, :] if dist.size else dist[:, cols]
        kind, t = rule[0], rule[1]
        if kind == "ratio":
            def accept(m, i, j, t=t):
                second = np.delete(m[i], j).min() if m.shape[1] > 1 else 9.0
                return m[i, j] < 0.55 or (m[i, j] < t and m[i, j] < 0.9 * second)
        else:
            def accept(m, i, j, t=t):
                return m[i, j] < t
        present = greedy(d, accept)
        for j, name in enumerate(names):
            if name in cut.unscored:
                continue
            truth = name in cut.truth
            total[truth] += 1
            right[truth] += (j in present) == truth
    return (right[True] / max(total[True], 1) + right[False] / max(total[False], 1)) / 2


RULES = [("threshold", t, 0) for t in (0.5, 0.55, 0.58, 0.6, 0.62)] + \
        [("hub", t, b) for t in (0.55, 0.6, 0.62) for b in (0.5, 1.0)] + [("ratio", t, 0) for t in (0.6, 0.62)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset")
    parser.add_argument("--jitters", type=int, default=0, help="descriptor jitters for query faces")
    parser.add_argument("--identities", type=int, default=0, help="only the first N identities (0: all)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: the first identity only, not the figures")
    args = parser.parse_args(argv)
    data = load_eval_set(args.dataset).limit(1 if args.quick else args.identities or None)
    prep = prepare(data, args.jitters)
    print(f"{args.dataset} (query jitters {args.jitters}): mean recognition accuracy %")
    print(f"{'rule':<22}{'tune':>8}{'holdout':>9}")
    for rule in RULES:
        label = f"{rule[0]} {rule[1]}" + (f" b={rule[2]}" if rule[0] == "hub" else "")
        print(f"{label:<22}{100 * accuracy(data, prep, 'tune', rule):8.2f}{100 * accuracy(data, prep, 'holdout', rule):9.2f}")


if __name__ == "__main__":
    main()
