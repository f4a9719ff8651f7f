"""Task-vector personalization (after Yun & Choo, ECCV 2024), with support-only model selection.

1. :func:`train_task_vectors`: one scoring LoRA per source database on a base model, through the
   ordinary ``train()`` and ``recipes/personalize/task_vector_world.yaml``; each adapter dir is
   a task vector.
2. :func:`fit_coefficients`: for one user's k rated images, layer-wise coefficients
   (layers x tasks) of the sum of task vectors, initialised from ``softmax(T * SRCC_t)`` (each
   task vector's SRCC on the support images) and trained with a pairwise Bradley-Terry rank loss.
   The number of steps is chosen by cross-validation over folds of the SUPPORT images only.
3. :func:`personalize_task_vectors`: the whole thing from adapter dirs and (image, score) pairs
   to one PEFT adapter dir that ``AestheticScorer.from_pretrained`` loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..evaluation.metrics import srcc
from ..resources import resource_dir
from ..scoring.personal import Example
from .features import ScoringInputs
from .lora_bank import TaskVectorBank

RECIPE = resource_dir("recipes") / "personalize" / "task_vector_world.yaml"
SELECTIONS = ("bt_loss", "pair_error")
WORLD_DATABASES = ("world_technical", "world_colour", "world_composition")


def train_task_vectors(base_model: str | Path, out_dir: str | Path, databases: Sequence[str] = WORLD_DATABASES,
                       recipe: str | Path = RECIPE, overrides: Sequence[str] = ()) -> list[Path]:
    """Fine-tune one scoring LoRA per world database on ``base_model``; returns the adapter dirs."""
    from ..config import load_recipe
    from ..train import train

    base = Path(base_model).resolve()
    dirs = []
    for name in databases:
        source = f"data.sources=[{{name: world, split: train, options: {{subset: databases, database: {name}}}}}]"
        settings = [f"model={base}", f"output_dir={Path(out_dir).resolve() / name}", source, *overrides]
        dirs.append(train(load_recipe(recipe, settings)))
    return dirs


def bradley_terry_loss(pred: torch.Tensor, scores: torch.Tensor) -> torch.Tensor | None:
    """Mean ``-log sigmoid(pred_i - pred_j)`` over pairs the user rated ``i`` above ``j`` (None without pairs)."""
    diff_true = scores[:, None] - scores[None, :]
    pairs = diff_true > 0
    if not bool(pairs.any()):
        return None
    return F.softplus(-(pred[:, None] - pred[None, :])[pairs]).mean()


def held_out_pair_error(pred: torch.Tensor, scores: torch.Tensor, held_out: torch.Tensor) -> float | None:
    """Fraction of mis-ordered pairs (ties count half) among the user's ranked pairs that involve at
    least one ``held_out`` image (held-out vs held-out and held-out vs the rest); scale-free."""
    involved = held_out[:, None] | held_out[None, :]
    pairs = (scores[:, None] > scores[None, :]) & involved
    if not bool(pairs.any()):
        return None
    diff = (pred[:, None] - pred[None, :])[pairs]
    return float(((diff < 0).float() + 0.5 * (diff == 0).float()).mean())


def task_srcc(task_levels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """SRCC of each task vector's predictions with the user's scores (0 where undefined)."""
    return np.nan_to_num(np.array([srcc(levels, scores) for levels in task_levels]), nan=0.0)


def init_coefficients(srccs: np.ndarray, num_layers: int, temperature: float) -> np.ndarray:
    """``softmax(temperature * srcc)`` over tasks, the same in every layer: (layers, tasks)."""
    weights = torch.softmax(temperature * torch.as_tensor(srccs, dtype=torch.float64), dim=0).numpy()
    return np.tile(weights, (num_layers, 1))


@dataclass
class FitConfig:
    """Coefficient fitting: init temperature, Adam settings, pull toward the init, step budget, support CV."""

    temperature: float = 5.0
    lr: float = 0.05
    l2: float = 0.0  # weight of the mean squared distance of the coefficients from their init
    max_steps: int = 40
    eval_every: int = 5
    folds: int = 3
    repeats: int = 3  # cross-validation rounds with different fold assignments (curves are averaged)
    selection: str = "pair_error"  # held-out criterion for the step count: "pair_error" or "bt_loss"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.selection not in SELECTIONS:
            raise ValueError(f"selection must be one of {SELECTIONS}, got {self.selection!r}")


@dataclass
class FitResult:
    """Learned (layers x tasks) coefficients, the chosen step count and how it was chosen."""

    coefficients: np.ndarray
    steps: int
    init: np.ndarray
    task_srcc: np.ndarray
    val_curve: list[float] = field(default_factory=list)  # mean held-out criterion at 0, e, 2e, ... steps

    def to_dict(self) -> dict:
        return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in asdict(self).items()}


def task_levels(bank: TaskVectorBank, inputs: ScoringInputs) -> np.ndarray:
    """(tasks, images) expected levels with each task vector alone (coefficient 1 in every layer)."""
    with bank.attached(inputs.model):
        rows = []
        for t in range(bank.num_tasks):
            bank.coefficients = bank.one_hot(t)
            rows.append(inputs.levels().cpu().numpy())
    return np.stack(rows)


def _train(bank: TaskVectorBank, inputs: ScoringInputs, init: np.ndarray, train_idx: np.ndarray,
           scores: np.ndarray, steps: int, lr: float, val_idx: np.ndarray | None = None,
           eval_every: int = 1, l2: float = 0.0, selection: str = "bt_loss") -> tuple[np.ndarray, list[float]]:
    """Adam on the coefficients for ``steps`` steps (BT loss + ``l2`` * mean squared distance from
    the init); the held-out ``selection`` criterion every ``eval_every`` steps."""
    anchor = torch.as_tensor(init, dtype=torch.float32)
    coef = torch.nn.Parameter(anchor.clone())
    optimizer = torch.optim.Adam([coef], lr=lr)
    y = torch.as_tensor(scores, dtype=torch.float32)
    curve: list[float] = []

    def held_out() -> None:
        if selection == "pair_error":
            idx = np.concatenate([train_idx, val_idx])
            mask = torch.zeros(len(idx), dtype=torch.bool)
            mask[len(train_idx):] = True
            value = held_out_pair_error(inputs.levels(idx), y[idx], mask)
        else:
            loss = bradley_terry_loss(inputs.levels(val_idx), y[val_idx])
            value = None if loss is None else float(loss)
        curve.append(float("nan") if value is None else value)

    with bank.attached(inputs.model, coef):
        if val_idx is not None:
            held_out()
        for step in range(1, steps + 1):
            loss = bradley_terry_loss(inputs.levels(train_idx, grad=True), y[train_idx])
            if loss is None:
                break
            if l2:
                loss = loss + l2 * (coef - anchor).pow(2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if val_idx is not None and step % eval_every == 0:
                held_out()
    return coef.detach().numpy(), curve


def fit_coefficients(bank: TaskVectorBank, inputs: ScoringInputs, scores: Sequence[float],
                     levels: np.ndarray | None = None, config: FitConfig | None = None) -> FitResult:
    """Fit coefficients on the support images ``inputs`` rated ``scores`` (nothing else is seen).

    The step count is the one with the lowest mean held-out criterion (``config.selection``: the
    BT loss on the held-out images, or the error rate on ranked pairs involving them) over ``config.folds`` folds
    of the support set (``config.repeats`` rounds of different folds; each fold initialised from
    its own training part); the final fit then reruns on all support images from the
    full-support init for that many steps.
    """
    cfg = config or FitConfig()
    y = np.asarray(scores, dtype=np.float64)
    if len(y) != len(inputs) or not np.isfinite(y).all():
        raise ValueError(f"need one finite score per support image, got {len(y)} for {len(inputs)} images")
    levels = task_levels(bank, inputs) if levels is None else levels

    def init_for(idx: np.ndarray) -> np.ndarray:
        return init_coefficients(task_srcc(levels[:, idx], y[idx]), bank.num_layers, cfg.temperature)

    rng = np.random.default_rng(cfg.seed)
    points = 1 + cfg.max_steps // cfg.eval_every
    curves = []
    for _ in range(cfg.repeats if cfg.folds > 1 else 0):
        order = rng.permutation(len(y))
        for fold in np.array_split(order, max(1, min(cfg.folds, len(y)))):
            train_idx = np.setdiff1d(order, fold)
            _, curve = _train(bank, inputs, init_for(train_idx), train_idx, y, cfg.max_steps, cfg.lr, fold,
                              cfg.eval_every, cfg.l2, cfg.selection)
            if len(curve) == points and not np.isnan(curve).any():  # folds without a ranked pair say nothing
                curves.append(curve)
    mean_curve = np.mean(curves, axis=0) if curves else np.array([])
    steps = int(np.argmin(mean_curve)) * cfg.eval_every if curves else 0
    all_idx = np.arange(len(y))
    init = init_for(all_idx)
    coefficients, _ = _train(bank, inputs, init, all_idx, y, steps, cfg.lr, l2=cfg.l2)
    return FitResult(coefficients, steps, init, task_srcc(levels, y), [float(v) for v in mean_curve])


def personalize_task_vectors(task_vectors: Sequence[str | Path], examples: Sequence[Example], out_dir: str | Path,
                             base_model: str | Path | None = None, config: FitConfig | None = None) -> Path:
    """Fit one user's combination of ``task_vectors`` on ``examples`` and save it as one PEFT adapter."""
    from ..model.loading import is_adapter_dir, load_model
    from ..scoring.scorer import AestheticScorer

    if len(examples) < 2:
        raise ValueError(f"need at least 2 rated examples to learn from rankings, got {len(examples)}")
    bank = TaskVectorBank.from_dirs(task_vectors)
    base = base_model or bank.base_model
    if base is None or is_adapter_dir(base):
        raise ValueError("give the base model directory (the task vectors' base) with base_model")
    model, processor = load_model(base)
    model.requires_grad_(False)
    inputs = ScoringInputs(AestheticScorer(model, processor), [image for image, _ in examples])
    result = fit_coefficients(bank, inputs, [s for _, s in examples], config=config)
    info = {"num_examples": len(examples), "fit": result.to_dict(), "config": asdict(config or FitConfig())}
    return bank.export(torch.as_tensor(result.coefficients), out_dir, base_model=Path(base).resolve(), info=info)
