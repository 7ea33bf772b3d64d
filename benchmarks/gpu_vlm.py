"""vlm engine speed with random weights in the published shapes of its three model families
(LLaVA-1.5-7B, Qwen2-VL-2B, SmolVLM-256M; configs written from the published dimensions, nothing
downloaded) in bf16 on a GPU, or ``--tiny`` shapes in float32 on CPU (a smoke run of the same code).

    python benchmarks/gpu_vlm.py                          # GPU, the three published shapes
    python benchmarks/gpu_vlm.py --tiny                   # CPU, tiny shapes
    python benchmarks/gpu_vlm.py --quick                  # CPU, tiny shapes, one repeat (a smoke run)
    python benchmarks/gpu_vlm.py --family idefics3 --cpu  # one published shape on CPU (float32)

Per family, through the engine's own ``VlmModel``: image and prompt tokens of a 1024x768 photo
with two people marked, caption time per photo (``--caption-tokens`` forced), and yes/no time per
photo: without the cached prefix (one full forward pass; also what the first question about a
photo costs), the second question (the shared prefix run and kept, then the question's tokens),
and each later question about the same photo (only the question's tokens). Then the
marking comparison: tokens and yes/no time per marking, how far swapping who is marked where moves
P(Yes), and how tall a tag's text is at the model's input resolution.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from PIL import Image  # noqa: E402

from benchmarks.common import timed  # noqa: E402
from plvm_photos.engines.vlm import random_models  # noqa: E402
from plvm_photos.engines.vlm.marking import MARKINGS, TAG_HEIGHT, MarkedPerson  # noqa: E402
from plvm_photos.engines.vlm.model import MarkedPhoto, VlmModel, square  # noqa: E402
from plvm_photos.engines.vlm.weights import VlmOptions  # noqa: E402

QUESTIONS = [
    'Does this photo match the description "<mike> and <susan> are talking"? Answer with Yes or No.',
    "Is <mike> wearing a hat? Answer with Yes or No.",
    "Is <susan> smiling? Answer with Yes or No.",
    "Are <mike> and <susan> at the beach? Answer with Yes or No.",
]
PEOPLE = (MarkedPerson("mike", (180, 200, 330, 380)), MarkedPerson("susan", (640, 180, 800, 370)))


def photo(seed: int, people=PEOPLE, size=(1024, 768)) -> MarkedPhoto:
    g = torch.Generator().manual_seed(seed)
    pixels = (torch.rand(size[1], size[0], 3, generator=g) * 255).to(torch.uint8).numpy()
    return MarkedPhoto(Image.fromarray(pixels), people, key=f"photo-{seed}")


def input_scale(family: str, processor, inputs: dict, image) -> float:
    """Model-input pixels per photo pixel, at the finest view the model gets of the photo."""
    if family == "llava":
        return processor.image_processor.crop_size["height"] / max(square(image, processor).size)
    if family == "qwen2_vl":
        return int(inputs["image_grid_thw"][0, 1]) * processor.image_processor.patch_size / image.size[1]
    tiles, tile = inputs["pixel_values"].shape[1], inputs["pixel_values"].shape[-1]
    columns = max(1, round(((tiles - 1) * image.size[0] / image.size[1]) ** 0.5))  # tiles + 1 global view
    return columns * tile / image.size[0] if tiles > 1 else tile / max(image.size)


def legibility(family: str) -> list:
    """How big a tag's text is where the model looks, with the family's published preprocessing
    (processors only: no model is built)."""
    tok = random_models.tokenizer(family)
    config, image_processor = random_models.configs(family, True, tok)
    processor = random_models.processor(family, tok, image_processor, config)
    image = photo(0).image
    inputs = processor.image_processor(images=[square(image, processor)], return_tensors="pt")
    scale = input_scale(family, processor, inputs, image)
    return [family, f"{scale:.2f}", f"{TAG_HEIGHT * max(image.size) * scale:.0f} px"]


def bench_family(family: str, real: bool, device: str, dtype, args) -> tuple[list, list]:
    torch.manual_seed(0)
    t0 = time.perf_counter()
    net, tok, image_processor = random_models.build(family, real=real, dtype=dtype, device=device)
    build_s = time.perf_counter() - t0
    processor = random_models.processor(family, tok, image_processor, net.config)
    net.generation_config.min_new_tokens = args.caption_tokens  # random weights: a fixed caption length
    options = VlmOptions("(in memory)", device, str(dtype), 0.5, args.caption_tokens, 50)
    vlm = VlmModel(options, parts=(net, processor))
    p = photo(0)
    inputs = vlm.inputs(p, QUESTIONS[0])
    ids = inputs["input_ids"][0]
    image_tokens = int((ids == net.config.image_token_id).sum())
    n_params = sum(x.numel() for x in net.parameters())

    caption_s = timed(lambda: vlm.caption(p), device, max(1, args.repeat // 2))
    processor_s = timed(lambda: vlm.inputs(p, QUESTIONS[1]), device, args.repeat)
    uncached_s = timed(lambda: vlm.yes_probability(p, QUESTIONS[1], use_cache=False), device, args.repeat)

    def first_question():
        vlm.prefixes.clear()
        vlm.yes_probability(p, QUESTIONS[0])

    second_s = timed(lambda: vlm.yes_probability(p, QUESTIONS[1]), device, args.repeat, setup=first_question)
    later_s = timed(lambda: [vlm.yes_probability(p, q) for q in QUESTIONS[1:]], device, args.repeat) / (len(QUESTIONS) - 1)
    peak = f"{torch.cuda.max_memory_allocated() / 2**30:.1f} GiB" if device.startswith("cuda") else "-"
    ms = lambda s: f"{s * 1e3:.1f}"  # noqa: E731
    speed = [family, f"{n_params / 1e6:.1f} M", image_tokens, len(ids), ms(caption_s), ms(uncached_s), ms(second_s),
             ms(later_s), ms(processor_s), peak, f"{build_s:.1f} s"]

    rows = []
    for marking in () if args.skip_marking else MARKINGS:
        marked = VlmModel(options, marking=marking, parts=(net, processor))
        m_inputs = marked.inputs(p, QUESTIONS[0])
        marked.yes_probability(p, QUESTIONS[0])
        m_later = timed(lambda: [marked.yes_probability(p, q) for q in QUESTIONS[1:]], device, args.repeat)
        # who is marked where, swapped: how far P(Yes) moves (random weights cannot read, so this
        # only shows whether the marking reaches the answer at all)
        swapped = (MarkedPerson("susan", PEOPLE[0].box), MarkedPerson("mike", PEOPLE[1].box))
        moves = []
        for seed in range(args.photos):
            a, b = photo(seed), photo(seed, swapped)
            moves += [abs(marked.yes_probability(a, q, use_cache=False) - marked.yes_probability(b, q, use_cache=False))
                      for q in QUESTIONS]
        rows.append([family, marking, len(m_inputs["input_ids"][0]), ms(m_later / (len(QUESTIONS) - 1)),
                     f"{statistics.mean(moves):.4f}" if moves else "-"])
    return speed, rows


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tiny", action="store_true", help="tiny shapes, float32, CPU")
    p.add_argument("--cpu", action="store_true", help="published shapes on CPU, float32 (slow: one small family)")
    p.add_argument("--family", choices=random_models.FAMILIES, action="append", help="only these (repeatable)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--photos", type=int, default=3, help="photos for the marking's swap test (0: none)")
    p.add_argument("--skip-marking", action="store_true", help="no marking comparison (slow published shapes on CPU)")
    p.add_argument("--caption-tokens", type=int, default=32)
    p.add_argument("--quick", action="store_true",
                   help="a smoke run: --tiny, one family, 1 repeat, no marking comparison, 2 caption tokens")
    args = p.parse_args(argv)
    if args.quick:
        args.tiny, args.repeat, args.photos, args.caption_tokens = True, 1, 0, 2
        args.family, args.skip_marking = args.family or [random_models.FAMILIES[0]], True

    device = "cpu" if args.tiny or args.cpu or not torch.cuda.is_available() else "cuda"
    dtype = torch.float32 if device == "cpu" else torch.bfloat16
    real = not args.tiny
    speed, marking = [], []
    for family in args.family or random_models.FAMILIES:
        s, m = bench_family(family, real, device, dtype, args)
        speed.append(s)
        marking.extend(m)
        gc.collect()  # the family's model goes before the next one is built
        if device.startswith("cuda"):
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
    card = torch.cuda.get_device_name() if device.startswith("cuda") else f"CPU ({torch.get_num_threads()} threads)"
    print(f"{card}, {str(dtype).replace('torch.', '')}, {'tiny' if args.tiny else 'published'} shapes, "
          f"1024x768 photo, 2 people marked ({'both'} marking unless said), caption {args.caption_tokens} tokens\n")
    print(table(["family", "parameters", "image tokens", "prompt tokens", "caption ms/photo",
                 "yes/no ms, no cache (= 1st question)", "yes/no ms, 2nd question (prefix run, kept)",
                 "yes/no ms, later questions (cached)", "of which processor ms", "GPU peak", "build"], speed))
    print()
    if marking:
        print()
        print(table(["family", "marking", "prompt tokens", "yes/no ms (cached)", "mean |dP(yes)| when swapped"], marking))
    print(f"\nA tag's text ({TAG_HEIGHT:.0%} of the photo's long side) at the model's input, published preprocessing:\n")
    print(table(["family", "input px per photo px", "tag text height"],
                [legibility(f) for f in args.family or random_models.FAMILIES]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
