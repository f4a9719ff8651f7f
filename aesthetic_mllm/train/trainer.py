"""``AestheticTrainer``: the transformers Trainer through its public hooks only.

Hooks used: ``compute_loss`` (soft rating-word labels, the score correlation and the image contrast, stage-1
parts, a non-finite loss stops the run naming step and samples), ``create_optimizer`` (per-module learning rates),
``_get_train_sampler`` (transformers' ``LengthGroupedSampler`` fed the dataset's draft lengths,
seeded per epoch; the Trainer's own DataLoader around it) and ``log`` (loss parts averaged).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import torch
from transformers import Trainer
from transformers.trainer_pt_utils import LengthGroupedSampler

from .losses import contrast_pairs, image_contrast_loss, score_correlation_loss, soft_label_lm_loss

PART_PREFIXES = {"vision": "vision_tower", "mfa": "mfa", "llm": "language_model"}


class NonFiniteLossError(RuntimeError):
    """The loss became NaN or inf; the message names the step and the samples of the batch."""


class SeedableLengthGroupedSampler(LengthGroupedSampler):
    """transformers' ``LengthGroupedSampler`` (shuffled mega-batches, each sorted by length, the
    longest batch first) whose generator is reseeded with ``seed + epoch`` at every pass, as
    accelerate's ``SeedableRandomSampler`` does for the random order.

    The order then depends only on the seed and the epoch the Trainer sets (``set_epoch``), not on
    the global RNG: a run resumed in any epoch sees the batches an uninterrupted one would, and
    every rank draws the same order before accelerate shards it.
    """

    def __init__(self, batch_size: int, lengths: Sequence[int], seed: int = 0):
        super().__init__(batch_size, lengths=list(lengths), generator=torch.Generator())
        self.seed, self.epoch = seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        self.generator.manual_seed(self.seed + self.epoch)
        return super().__iter__()


class AestheticTrainer(Trainer):
    """The Trainer with soft rating-word labels, per-part learning rates and draft-length grouping.

    ``args.train_sampling_strategy`` decides the order; ``group_by_length``, when given, must agree.
    ``correlation_weight`` adds that weight times ``score_correlation_loss`` to soft-labelled batches;
    ``image_contrast_weight`` that weight times ``image_contrast_loss`` over the batch's single-image
    text answers, each scored a second time beside another row's image (in the same forward pass).
    """

    def __init__(self, *args, rating_word_ids: list[int] | None = None, part_lrs: dict[str, float | None] | None = None,
                 group_by_length: bool | None = None, correlation_weight: float = 0.0,
                 image_contrast_weight: float = 0.0, **kwargs):
        super().__init__(*args, **kwargs)
        grouped = self.args.train_sampling_strategy == "group_by_length"
        if group_by_length is not None and group_by_length != grouped:
            raise ValueError(f"group_by_length={group_by_length} disagrees with TrainingArguments."
                             f"train_sampling_strategy={self.args.train_sampling_strategy!r}; set the latter only")
        self.rating_word_ids = rating_word_ids
        self.part_lrs = part_lrs or {}
        self.correlation_weight = correlation_weight
        self.image_contrast_weight = image_contrast_weight
        self.loss_is_scaled_for_ga = False
        self._parts: dict[str, list[float]] = defaultdict(list)
        self._skipped: Counter[str] = Counter()

    def skip_counts(self) -> dict[str, Any]:
        """Samples skipped to fill the batches this process trained on, by error type (workers included)."""
        return {"worker": None, "counts": dict(self._skipped)}

    # -- data -----------------------------------------------------------------------------------
    def _get_train_sampler(self, train_dataset=None) -> torch.utils.data.Sampler | None:
        """The Trainer's own sampler for ``args.train_sampling_strategy``, except that under
        ``group_by_length`` a dataset with draft lengths (``lengths()``: no image decoded) gives them
        to transformers' ``LengthGroupedSampler`` directly: the Trainer would otherwise read
        ``dataset[i]`` for every item. Its batch size (per-device batch x accumulation steps) and
        mega-batch size are the Trainer's; its generator is seeded by ``data_seed`` (else ``seed``)
        and the epoch, so a resumed run sees the batches an uninterrupted one would (the random
        order gets the same from accelerate's ``SeedableRandomSampler``). The Trainer builds the
        DataLoader around it (worker seeding, persistent workers, prefetching, sharding)."""
        dataset = train_dataset if train_dataset is not None else self.train_dataset
        if self.args.train_sampling_strategy != "group_by_length" or not hasattr(dataset, "lengths"):
            return super()._get_train_sampler(dataset)
        seed = self.args.data_seed if self.args.data_seed is not None else self.args.seed
        return SeedableLengthGroupedSampler(self.args.train_batch_size * self.args.gradient_accumulation_steps,
                                            dataset.lengths(), seed=seed)

    # -- optimisation ---------------------------------------------------------------------------
    def create_optimizer(self, model=None):
        """AdamW (the configured optimizer) with one parameter group per model part and its own lr."""
        if self.optimizer is not None:
            return self.optimizer
        model = model or self.model
        groups: dict[tuple[float, float], list[torch.nn.Parameter]] = defaultdict(list)
        for name, param in model.named_parameters():
            if not param.requires_grad:
                continue
            lr = self.args.learning_rate
            for part, prefix in PART_PREFIXES.items():
                if f"{prefix}." in name and self.part_lrs.get(part) is not None:
                    lr = self.part_lrs[part]
            decay = 0.0 if param.ndim < 2 else self.args.weight_decay
            groups[(lr, decay)].append(param)
        optim_cls, optim_kwargs = Trainer.get_optimizer_cls_and_kwargs(self.args, model)
        optim_kwargs.pop("lr", None)
        self.optimizer = optim_cls([{"params": ps, "lr": lr, "weight_decay": wd} for (lr, wd), ps in groups.items()],
                                   lr=self.args.learning_rate, **optim_kwargs)
        return self.optimizer

    # -- loss -----------------------------------------------------------------------------------
    def compute_loss(self, model, inputs: dict[str, Any], return_outputs: bool = False, num_items_in_batch=None):
        self._skipped.update(inputs.pop("skipped_samples", None) or ())
        sample_ids = inputs.pop("sample_ids", None)
        soft_targets = inputs.pop("soft_targets", None)
        soft_positions = inputs.pop("soft_positions", None)
        soft = soft_targets is not None and bool(self.rating_word_ids)
        pairs = self._contrast_pairs(model, inputs, soft_targets)
        if soft or pairs is not None:
            labels = inputs.pop("labels")  # the model's own loss would normalise the whole vocabulary twice
            outputs = model(**(inputs if pairs is None else _with_swapped_images(inputs, *pairs)))
            logits = outputs.logits[:len(labels)]
            loss = soft_label_lm_loss(logits, labels, soft_targets if soft else None, self.rating_word_ids or [],
                                      soft_positions)
            if soft and self.correlation_weight > 0:
                correlation = score_correlation_loss(logits, soft_targets, soft_positions, self.rating_word_ids)
                self._parts["correlation_loss"].append(float(correlation.detach()))
                loss = loss + self.correlation_weight * correlation
            if pairs is not None:
                rows = pairs[0]
                contrast = image_contrast_loss(logits[rows], outputs.logits[len(labels):], labels[rows])
                self._parts["image_contrast_loss"].append(float(contrast.detach()))
                loss = loss + self.image_contrast_weight * contrast
                outputs.logits = logits
        else:
            outputs = model(**inputs)
            loss = outputs["loss"]
        if isinstance(outputs, dict):
            for key, value in outputs.items():
                if key.endswith("_loss") and torch.is_tensor(value):
                    self._parts[key].append(float(value))
        if not torch.isfinite(loss).all():
            ids = sample_ids.tolist() if sample_ids is not None else "unknown"
            raise NonFiniteLossError(f"loss is {loss.item()} at step {self.state.global_step + 1}; "
                                     f"the batch held dataset samples {ids}")
        return (loss, outputs) if return_outputs else loss

    def _contrast_pairs(self, model, inputs: dict[str, Any], soft_targets: torch.Tensor | None):
        """``contrast_pairs`` of the batch when the image contrast is on and it has a pair, else None."""
        if self.image_contrast_weight <= 0 or inputs.get("pixel_values") is None or "labels" not in inputs:
            return None
        config = self.accelerator.unwrap_model(model).config
        rows, _, partners = contrast_pairs(inputs["input_ids"], inputs["labels"], soft_targets,
                                           config.image_token_id, config.num_image_features)
        return (rows, partners) if len(rows) else None

    def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
        if "loss" in logs:
            for key, values in self._parts.items():
                if values:
                    logs[key] = round(sum(values) / len(values), 6)
            self._parts.clear()
        super().log(logs, start_time)


def _with_swapped_images(inputs: dict[str, Any], rows: torch.Tensor, partner_images: torch.Tensor) -> dict[str, Any]:
    """The batch with ``rows`` appended once more, each beside its partner's image (one forward pass for both)."""
    batch = dict(inputs)
    for key in ("input_ids", "attention_mask"):
        batch[key] = torch.cat([inputs[key], inputs[key][rows]])
    batch["pixel_values"] = torch.cat([inputs["pixel_values"], inputs["pixel_values"][partner_images]])
    return batch
