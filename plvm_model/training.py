"""Training loop (paper section 3.2 / 4.1): AdamW on the Aligner heads, LLaVA and encoder frozen."""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import torch

from .checkpoint import load_heads, save_heads

STATE_NAME = "trainer_state.json"
OPTIMIZER_NAME = "optimizer.pt"


@dataclass
class TrainConfig:
    output_dir: str
    steps: int = 1000
    batch_size: int = 2
    lr: float = 1e-4
    weight_decay: float = 0.0
    yes_no_weight: float = 20.0  # w in Eq. 2
    checkpoint_every: int = 500
    log_every: int = 10
    keep_checkpoints: int = 3
    grad_clip: float | None = 1.0


@dataclass
class TrainState:
    step: int = 0
    last_loss: float = math.nan


def checkpoint_dir(output_dir: str | Path, step: int) -> Path:
    return Path(output_dir) / f"checkpoint-{step:07d}"


def latest_checkpoint(output_dir: str | Path) -> Path | None:
    found = sorted(Path(output_dir).glob("checkpoint-*/" + STATE_NAME)) if Path(output_dir).exists() else []
    return found[-1].parent if found else None


class Trainer:
    """Steps through the dataset in order (batch s = examples [s*B, (s+1)*B)), so resuming from a
    checkpoint continues the very same example sequence."""

    def __init__(self, model, dataset, config: TrainConfig, log: Callable[[str], None] = print):
        self.model = model
        self.dataset = dataset
        self.config = config
        self.log = log
        self.optimizer = torch.optim.AdamW(model.trainable_parameters(), lr=config.lr,
                                           weight_decay=config.weight_decay)
        self.state = TrainState()

    def batch(self, step: int):
        b = self.config.batch_size
        return [self.dataset[(step * b + i) % len(self.dataset)] for i in range(b)]

    def train_step(self, step: int) -> float:
        self.model.train()
        loss = self.model(self.model.build_batch(self.batch(step)), yes_no_weight=self.config.yes_no_weight)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.config.grad_clip:
            torch.nn.utils.clip_grad_norm_(self.model.trainable_parameters(), self.config.grad_clip)
        self.optimizer.step()
        return float(loss.detach())

    def train(self, resume: bool = True) -> TrainState:
        if resume and (ckpt := latest_checkpoint(self.config.output_dir)) is not None:
            self.load(ckpt)
            self.log(f"resumed from {ckpt} at step {self.state.step}")
        start, t0, running = self.state.step, time.perf_counter(), []
        while self.state.step < self.config.steps:
            running.append(self.train_step(self.state.step))
            self.state.step += 1
            self.state.last_loss = running[-1]
            step = self.state.step
            if step % self.config.log_every == 0 or step == self.config.steps:
                rate = (step - start) / max(time.perf_counter() - t0, 1e-9)
                eta = (self.config.steps - step) / max(rate, 1e-9)
                self.log(f"step {step}/{self.config.steps} loss {sum(running) / len(running):.4f} "
                         f"{rate:.2f} it/s eta {eta / 60:.1f} min")
                running = []
            if step % self.config.checkpoint_every == 0 or step == self.config.steps:
                self.save(checkpoint_dir(self.config.output_dir, step))
        return self.state

    def save(self, directory: Path) -> Path:
        save_heads(self.model.aligner.heads, self.model.config, directory)
        torch.save(self.optimizer.state_dict(), directory / OPTIMIZER_NAME)
        (directory / STATE_NAME).write_text(json.dumps(
            {"state": asdict(self.state), "train_config": asdict(self.config)}, indent=2))
        self._prune()
        self.log(f"saved {directory}")
        return directory

    def load(self, directory: Path) -> None:
        self.model.aligner.heads.load_state_dict(load_heads(directory))
        self.optimizer.load_state_dict(torch.load(directory / OPTIMIZER_NAME, map_location=self.model.device))
        self.state = TrainState(**json.loads((directory / STATE_NAME).read_text())["state"])

    def _prune(self) -> None:
        keep = self.config.keep_checkpoints
        found = sorted(Path(self.config.output_dir).glob("checkpoint-*"))
        for old in found[:-keep] if keep > 0 else []:
            for f in old.iterdir():
                f.unlink()
            old.rmdir()
