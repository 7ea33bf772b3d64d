"""PLVM speed and size with random weights: LLaVA-1.5-7B + DINOv2-base shapes in bf16 on a GPU,
or ``--tiny`` shapes in float32 on CPU (a smoke run of the same code paths).

    python benchmarks/gpu_plvm.py            # GPU, paper shapes
    python benchmarks/gpu_plvm.py --tiny     # CPU, tiny shapes
    python benchmarks/gpu_plvm.py --quick    # CPU, tiny shapes, one repeat (a smoke run)

Prints a markdown table: parameter counts, Aligner forward, recognition time per (photo, concept)
pair for the plain, batched and cached-prefix paths, caption time, one training step (batch 2).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from PIL import Image  # noqa: E402

from benchmarks.common import timed  # noqa: E402
from plvm_model.data import TrainingExample  # noqa: E402
from plvm_model.random_models import LLAVA_7B_DINOV2_BASE, TINY, random_plvm  # noqa: E402


def photo(seed: int, size: int = 512) -> Image.Image:
    g = torch.Generator().manual_seed(seed)
    return Image.fromarray((torch.rand(size, size, 3, generator=g) * 255).to(torch.uint8).numpy())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tiny", action="store_true", help="tiny shapes, float32, CPU")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--concepts", type=int, default=16, help="concepts per photo for the batched/cached paths")
    p.add_argument("--caption-tokens", type=int, default=32)
    p.add_argument("--quick", action="store_true", help="a smoke run: --tiny, 1 repeat, 2 concepts, 2 caption tokens")
    args = p.parse_args(argv)
    if args.quick:
        args.tiny, args.repeat, args.concepts, args.caption_tokens = True, 1, 2, 2

    device = "cpu" if args.tiny or not torch.cuda.is_available() else "cuda"
    dtype = torch.float32 if args.tiny or device == "cpu" else torch.bfloat16
    shapes = TINY if args.tiny else LLAVA_7B_DINOV2_BASE
    torch.manual_seed(0)
    t0 = time.perf_counter()
    model = random_plvm(shapes, dtype=dtype, device=device).eval()
    build_s = time.perf_counter() - t0
    n_lvlm = sum(p.numel() for p in model.lvlm.parameters())
    n_heads = sum(p.numel() for p in model.aligner.heads.parameters())
    n_encoder = sum(p.numel() for p in model.aligner.encoder.parameters())

    refs = [photo(i, 256) for i in range(args.concepts)]
    query = photo(1000)
    concepts = model.encode_concepts(refs, [f"<p{i}>" for i in range(args.concepts)])
    ref_px = model.reference_pixels(refs[:1])
    with torch.no_grad():
        aligner_s = timed(lambda: model.aligner(ref_px), device, args.repeat)
    one_s = timed(lambda: model.recognize(query, concepts[:1], use_cache=False), device, args.repeat)
    batched_s = timed(lambda: model.recognize(query, concepts, use_cache=False, batch_size=args.concepts),
                      device, args.repeat)
    cached_s = timed(lambda: model.recognize(query, concepts, use_cache=True, batch_size=args.concepts),
                     device, args.repeat)

    eos = model.tokenizer.eos_token_id
    model.tokenizer.eos_token_id = None  # random weights: force a fixed caption length
    caption_s = timed(lambda: model.caption(query, concepts[:2], max_new_tokens=args.caption_tokens), device,
                      max(1, args.repeat // 2))
    model.tokenizer.eos_token_id = eos

    examples = [TrainingExample(refs[0], query, "Is <sks> in this photo?", "Yes, <sks> is in this photo.",
                                "recognition", True),
                TrainingExample(refs[1], None, "What is <sks>'s hair color?", "<sks> has brown hair.", "attribute")]
    opt = torch.optim.AdamW(model.trainable_parameters(), lr=1e-4)

    def train_step():
        model.train()
        loss = model(model.build_batch(examples))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    train_s = timed(train_step, device, args.repeat)
    if device.startswith("cuda"):
        peak = f"{torch.cuda.max_memory_allocated() / 2**30:.1f} GiB (GPU)"
    else:
        peak = f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB (process max RSS)"

    card = torch.cuda.get_device_name() if device.startswith("cuda") else "CPU"
    ms = lambda s: f"{s * 1e3:.2f} ms"  # noqa: E731
    rows = [
        ("device", f"{card}, {str(dtype).replace('torch.', '')}, {'tiny' if args.tiny else 'LLaVA-1.5-7B + DINOv2-base'} shapes"),
        ("LVLM parameters", f"{n_lvlm / 1e6:.1f} M"),
        ("Aligner encoder (frozen)", f"{n_encoder / 1e6:.1f} M"),
        ("Aligner heads (trainable)", f"{n_heads / 1e6:.2f} M = {100 * n_heads / n_lvlm:.2f} % of the LVLM"),
        ("Aligner forward (1 reference)", ms(aligner_s)),
        ("recognize, 1 pair per call", ms(one_s) + " per pair"),
        (f"recognize, batched x{args.concepts}", ms(batched_s / args.concepts) + " per pair"),
        (f"recognize, cached image prefix x{args.concepts}", ms(cached_s / args.concepts) + " per pair"),
        (f"caption, {args.caption_tokens} tokens", ms(caption_s)),
        ("training step, batch 2", ms(train_s)),
        ("training peak memory", peak),
        ("model build (random init)", f"{build_s:.1f} s"),
    ]
    print("| measure | value |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
