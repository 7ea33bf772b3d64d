"""Device check (run by hand where a CUDA GPU is present; not collected by pytest).

The plvm engine with automatic device/dtype must pick CUDA + bfloat16, and every engine call the
app makes (global tokens, Aligner outputs, the safetensors round trip of stored concept tensors,
P(Yes) with the cached prefix, yes/no questions, captions, answers) must run there and agree with
CPU float32 up to bf16 rounding. Prints one line per check and exits non-zero on a failure.

    python tests/engines/plvm/gpu_check.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository: ``tests`` is a package there


def main() -> int:
    import torch
    from PIL import Image

    from plvm_photos.engines.plvm.model import PlvmModel
    from plvm_photos.engines.plvm.entry import plvm_options
    from tests.plvm_model.tiny import save_tiny_plvm as build

    dry = "--cpu-dry-run" in sys.argv  # checks this script where no GPU is present: cpu bf16 instead
    assert dry or torch.cuda.is_available(), "no CUDA GPU here (--cpu-dry-run runs the same checks on CPU bf16)"
    models = build(Path(tempfile.mkdtemp()))
    values = {"plvm.aligner": str(models["aligner"]), "plvm.lvlm": "", "plvm.encoder": "", "plvm.device": "auto",
              "plvm.dtype": "auto", "plvm.threshold": "0.5", "plvm.min_similarity": "0.3",
              "plvm.caption_tokens": "12", "plvm.ask_limit": "5"}
    rng = np.random.default_rng(0)
    photos = [Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)) for _ in range(3)]
    results = {}
    for device in ("cpu", "auto"):
        overrides = {"plvm.device": "cpu", "plvm.dtype": "bfloat16"} if dry and device == "auto" else {"plvm.device": device}
        engine = PlvmModel(plvm_options({**values, **overrides}))
        start = time.perf_counter()
        tokens = engine.global_tokens(photos)
        refs = [engine.encode_reference(p, f"c{i}") for i, p in enumerate(photos[:2])]
        # the app stores Aligner outputs as float32 CPU tensors and loads them onto the model's device
        concepts = [engine.stored_form(r.concept) for r in refs]
        p_yes = [engine.recognize(p, concepts) for p in photos]
        yes_no = engine.yes_probability(photos[0], "Does this photo match the description \"<c0> and <c1> are talking\"? "
                                        "Answer with Yes or No.", concepts)
        caption = engine.caption(photos[0], concepts)
        answer = engine.answer(photos[1], "What is <c0> doing?", concepts[:1])
        if engine.device.startswith("cuda"):
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        model = engine.model()
        print(f"{device}: device={engine.device} dtype={engine.dtype_name} model on {model.device} {model.dtype}; "
              f"{seconds:.2f} s; P(yes)={np.round(p_yes, 3).tolist()} yes/no={yes_no:.3f}; caption={caption!r}; "
              f"answer={answer!r}")
        results[device] = (engine.device, engine.dtype_name, tokens, np.array(p_yes), yes_no)
    failures = []
    gpu = results["auto"]
    if not dry and not (gpu[0] == "cuda" and gpu[1] == "bfloat16"):
        failures.append(f"auto chose {gpu[0]} {gpu[1]}, expected cuda bfloat16")
    cos = (results["cpu"][2] * gpu[2]).sum(axis=1)
    print(f"global tokens cpu-f32 vs cuda-bf16 cosine: {np.round(cos, 4).tolist()}")
    if cos.min() < 0.98:
        failures.append("global tokens disagree beyond bf16 rounding")
    diff = float(np.abs(results["cpu"][3] - gpu[3]).max())
    print(f"P(yes) max |cpu - cuda| = {diff:.4f}; yes/no |cpu - cuda| = {abs(results['cpu'][4] - gpu[4]):.4f}")
    if diff > 0.05 or abs(results["cpu"][4] - gpu[4]) > 0.05:
        failures.append("P(yes) disagrees beyond bf16 rounding")
    for failure in failures:
        print("FAIL:", failure)
    print("OK" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
