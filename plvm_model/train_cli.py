"""``plvm-train``: train the Aligner heads on a folder of identities (see docs/plvm_model.md)."""

from __future__ import annotations

import argparse
import sys

from .config import AlignerConfig, PLVMConfig


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="plvm-train", description=__doc__)
    p.add_argument("data", help="training folder: one sub-folder per identity (ref.jpg, query/*.jpg, attributes.json)")
    p.add_argument("--output", required=True, help="where checkpoint-NNNNNNN/ folders go")
    p.add_argument("--lvlm", default=PLVMConfig.lvlm, help="LLaVA-family model: hub id or local path")
    p.add_argument("--encoder", default=AlignerConfig.encoder, help="reference encoder: DINOv2, CLIP or ViT")
    p.add_argument("--config", help="a plvm_config.json to start from (overrides --lvlm/--encoder/--queries)")
    p.add_argument("--queries", type=int, default=16, help="k context tokens")
    p.add_argument("--prompt-order", choices=["image_first", "concept_first"], default="image_first")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=2)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--yes-no-weight", type=float, default=20.0, help="w of paper Eq. 2")
    p.add_argument("--positive-ratio", type=float, default=0.5, help="p: share of positive recognition questions")
    p.add_argument("--recognition-ratio", type=float, default=0.5, help="recognition vs attribute questions")
    p.add_argument("--checkpoint-every", type=int, default=500)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-resume", action="store_true", help="ignore checkpoints already in --output")
    p.add_argument("--device", default=None, help="cuda, cpu, ... (default: cuda when available)")
    p.add_argument("--dtype", choices=["float32", "bfloat16", "float16"], default=None,
                   help="dtype of the frozen models (default: bfloat16 on GPU, float32 on CPU)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from .data import PLVMTrainingDataset
    from .lvlm import PLVM
    from .training import Trainer, TrainConfig

    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    dtype = getattr(torch, args.dtype) if args.dtype else (torch.bfloat16 if device.startswith("cuda") else torch.float32)
    if args.config:
        config = PLVMConfig.load(args.config)
    else:
        config = PLVMConfig(lvlm=args.lvlm, aligner=AlignerConfig(encoder=args.encoder, num_queries=args.queries),
                            prompt_order=args.prompt_order)
    torch.manual_seed(args.seed)
    model = PLVM.from_config(config, dtype=dtype, device=device)
    dataset = PLVMTrainingDataset(args.data, length=max(args.steps * args.batch_size, 1),
                                  positive_ratio=args.positive_ratio,
                                  recognition_ratio=args.recognition_ratio, seed=args.seed)
    trainer = Trainer(model, dataset, TrainConfig(
        output_dir=args.output, steps=args.steps, batch_size=args.batch_size, lr=args.lr,
        yes_no_weight=args.yes_no_weight, checkpoint_every=args.checkpoint_every, log_every=args.log_every,
    ), log=lambda msg: print(msg, flush=True))
    n_train = sum(p.numel() for p in model.trainable_parameters())
    print(f"{len(dataset.identities)} identities, {n_train / 1e6:.2f} M trainable parameters, device {device}",
          flush=True)
    state = trainer.train(resume=not args.no_resume)
    print(f"done: step {state.step}, last loss {state.last_loss:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
