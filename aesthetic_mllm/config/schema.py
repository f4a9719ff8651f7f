"""Typed recipe schema. Every YAML under ``recipes/`` is built into :class:`Recipe`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .loader import ConfigError


@dataclass
class AdaptationConfig:
    """Which parts train, and how (full weights, LoRA or 4-bit QLoRA on the LLM)."""

    method: Literal["full", "lora", "qlora", "frozen"] = "full"
    train_vision: bool = False
    train_mfa: bool = True
    train_llm: bool = True
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    lora_target_modules: list[str] = field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    )
    quant_type: Literal["nf4", "fp4"] = "nf4"

    def validate(self) -> None:
        if self.lora_r <= 0:
            raise ConfigError(f"model.adaptation.lora_r: must be positive, got {self.lora_r}")


@dataclass
class ModelConfig:
    """Where the model comes from: a saved model dir, a preset, local parts or a LLaVA checkpoint."""

    path: str | None = None
    preset: str = "tiny"
    vision: str | None = None
    llm: str | None = None
    from_llava: str | None = None
    attn_implementation: Literal["sdpa", "eager", "flash_attention_2"] = "sdpa"
    dtype: Literal["float32", "bfloat16", "float16"] = "float32"
    gradient_checkpointing: bool = False
    # how images reach the input size: squash (stretch), pad (letterbox, mean colour) or crop (centre);
    # unset keeps the policy saved with the model's processor (squash for a fresh composition)
    resize: Literal["squash", "pad", "crop"] | None = None
    adaptation: AdaptationConfig = field(default_factory=AdaptationConfig)

    def validate(self) -> None:
        if (self.vision is None) != (self.llm is None):
            raise ConfigError("model.vision and model.llm must be given together")


@dataclass
class SourceConfig:
    """One dataset source from the registry, read from ``root`` in its published layout."""

    name: str
    root: str | None = None
    split: str | None = None
    weight: float = 1.0
    on_error: Literal["raise", "skip"] = "skip"
    limit: int | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class TaskMixConfig:
    """Relative weights of the tasks (0 switches a task off). Stage 2 mixes every task below; stage 1
    mixes its self-supervised task (weight 1) with ``chat``: LLaVA-style image-text pairs (e.g. the
    ``llava_json`` source), as CALM mixes generic pairs into its pretraining.

    ``correlation_loss`` (stage 2) weights ``1 - PLCC`` between the expected scores of a batch's
    scoring samples and their targets, beside the soft-label loss (which it needs); 0: off.
    ``image_contrast_loss`` (stage 2) weights a pairwise preference for each single-image text
    answer (commenting, suggesting) beside its own image over another sample's: the LM loss alone
    can learn the answers' text and not their dependence on the pixels; 0: off. It scores those
    rows twice (their share of a step's compute, again).
    """

    scoring: float = 1.0
    commenting: float = 0.0
    suggesting: float = 0.0
    piaa: float = 0.0
    chat: float = 0.0
    soft_labels: bool = True
    piaa_shots: list[int] = field(default_factory=lambda: [10])  # train with the shot counts that are evaluated
    correlation_loss: float = 0.0
    image_contrast_loss: float = 0.0

    def validate(self) -> None:
        for key in ("correlation_loss", "image_contrast_loss"):
            if getattr(self, key) < 0:
                raise ConfigError(f"tasks.{key}: must be >= 0, got {getattr(self, key)}")
        if self.correlation_loss > 0 and not self.soft_labels:
            raise ConfigError("tasks.correlation_loss reads the scores of soft-labelled scoring samples: "
                              "set tasks.soft_labels=true or tasks.correlation_loss=0")


@dataclass
class SSLConfig:
    """Stage-1 loss weights (0 switches a loss off: ablations) and the mix of the ``ssl`` task's kinds
    (``kinds``: kind -> weight; None keeps the task's default mix, see ``data.tasks.ssl``).

    ``rank_loss`` weights a RankIQA-style ranking of each pair sample (``compare``, ``what_changed``:
    the original photo above its edited version) by a scalar head on the MFA states; ``rank_edits``
    names the edits whose pairs it ranks (None: every edit). ``image_contrast_loss`` weights the
    stage-2 key of that name on stage 1's single-image answers (``attributes``, ``how_to_fix``):
    each answer likelier beside its own image than beside another sample's (needs ``lm_loss``'s
    forward pass; the swapped rows cost one more LLM pass, the images are encoded once).
    """

    attribute_loss: float = 1.0
    contrastive_loss: float = 1.0
    lm_loss: float = 1.0
    contrastive_temperature: float = 0.07
    kinds: dict[str, float] | None = None
    rank_loss: float = 0.0
    rank_edits: list[str] | None = None
    image_contrast_loss: float = 0.0


@dataclass
class DataConfig:
    """Training data: sources plus the demo-world seed when the ``world`` source is used."""

    sources: list[SourceConfig] = field(default_factory=lambda: [SourceConfig(name="world")])
    max_length: int = 512
    world_seed: int = 0


@dataclass
class TrainConfig:
    """Optimisation and run bookkeeping."""

    output_dir: str = "outputs/run"
    max_steps: int = 100
    per_device_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    lr: float = 2e-4
    lr_vision: float | None = None
    lr_mfa: float | None = None
    lr_llm: float | None = None
    weight_decay: float = 0.0
    warmup_ratio: float = 0.03
    scheduler: Literal["cosine", "linear", "constant"] = "cosine"
    max_grad_norm: float = 1.0
    seed: int = 0
    logging_steps: int = 10
    save_steps: int = 0
    save_total_limit: int = 2
    resume_from_checkpoint: str | None = "auto"
    report_to: Literal["none", "tensorboard", "wandb"] = "none"
    group_by_length: bool = True
    dataloader_num_workers: int | None = None  # None: the cores of this process on a GPU machine, 0 on CPU
    mixed_precision: Literal["no", "bf16", "fp16"] = "no"
    deepspeed: str | None = None
    progress: bool = True

    def validate(self) -> None:
        if self.max_steps <= 0:
            raise ConfigError(f"train.max_steps: must be positive, got {self.max_steps}")
        if self.save_total_limit < 2:
            raise ConfigError("train.save_total_limit: keep at least 2 so a kill during a save leaves the "
                              f"previous checkpoint, got {self.save_total_limit}")
        if self.per_device_batch_size <= 0:
            raise ConfigError(f"train.per_device_batch_size: must be positive, got {self.per_device_batch_size}")


@dataclass
class Recipe:
    """A whole run: stage, model, data, tasks and training settings."""

    stage: Literal["stage1", "stage2"]
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    tasks: TaskMixConfig = field(default_factory=TaskMixConfig)
    ssl: SSLConfig = field(default_factory=SSLConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    description: str = ""


# Short override names every recipe accepts on the command line.
OVERRIDE_ALIASES = {
    "output_dir": "train.output_dir",
    "max_steps": "train.max_steps",
    "model": "model.path",
    "seed": "train.seed",
    "lr": "train.lr",
}
