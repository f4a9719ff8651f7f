"""Stage workflows, each top to bottom: recipe -> processor/model -> datasets -> trainer -> save."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from transformers import TrainerCallback, TrainingArguments, set_seed

from ..config import Recipe, to_dict
from ..data.collator import MultimodalCollator
from ..data.dataset import TaskDataset
from ..model.adaptation import apply_adaptation, count_parameters, quantization_config
from ..model.loading import build_model
from .callbacks import CompleteCheckpointCallback, RunReportCallback
from .checkpoints import resolve_resume
from .objectives import SSL_LEVELS, Stage1Objective, Stage1Targets
from .records import load_records
from .run_info import run_metadata
from .stage1_heads import save_stage1_heads
from .trainer import AestheticTrainer

logger = logging.getLogger(__name__)


def default_num_workers() -> int:
    """DataLoader workers when the recipe leaves them unset: the cores available to this process
    (split over the node's ranks, at most 8) on a GPU machine; 0 on CPU, where the train step itself
    uses every core."""
    if not torch.cuda.is_available():
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    ranks = int(os.environ.get("LOCAL_WORLD_SIZE", torch.cuda.device_count() or 1))
    return max(1, min(8, cores // max(ranks, 1)))


def training_arguments(recipe: Recipe) -> TrainingArguments:
    """Map the recipe's train section onto ``TrainingArguments``."""
    t = recipe.train
    workers = default_num_workers() if t.dataloader_num_workers is None else t.dataloader_num_workers
    return TrainingArguments(
        output_dir=t.output_dir, max_steps=t.max_steps, per_device_train_batch_size=t.per_device_batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps, learning_rate=t.lr, weight_decay=t.weight_decay,
        warmup_steps=t.warmup_ratio, lr_scheduler_type=t.scheduler, max_grad_norm=t.max_grad_norm, seed=t.seed,
        data_seed=t.seed, logging_steps=t.logging_steps, save_strategy="steps" if t.save_steps else "no",
        save_steps=t.save_steps or 500, save_total_limit=t.save_total_limit, report_to=t.report_to,
        bf16=t.mixed_precision == "bf16", fp16=t.mixed_precision == "fp16",
        dataloader_num_workers=workers, dataloader_persistent_workers=workers > 0, remove_unused_columns=False,
        use_cpu=not torch.cuda.is_available(), ddp_find_unused_parameters=True, deepspeed=t.deepspeed,
        disable_tqdm=not t.progress, logging_first_step=True,
        train_sampling_strategy="group_by_length" if t.group_by_length else "random",
    )


def _dataset(recipe: Recipe, records, processor, mixture: dict[str, float], extras=None,
             words: Sequence[str] | None = None) -> TaskDataset:
    scoring = {"soft_labels": recipe.tasks.soft_labels, **({"words": list(words)} if words else {})}
    options = {"scoring": scoring, "piaa": {"shots": recipe.tasks.piaa_shots},
               "ssl": {"kinds": recipe.ssl.kinds} if recipe.ssl.kinds else {}}
    return TaskDataset(records, mixture, processor, recipe.data.max_length, seed=recipe.train.seed,
                       task_options={k: v for k, v in options.items() if k in mixture}, extras=extras)


def _fit(recipe: Recipe, model, processor, dataset: TaskDataset, counts: dict[str, Any], rating_ids=None,
         callbacks: Sequence[TrainerCallback] = ()):
    """Train with checkpoints, run report and resume; returns the trainer."""
    args = training_arguments(recipe)
    trainable, total = count_parameters(model)
    config = to_dict(recipe)
    report = run_metadata(config, counts, {"trainable": trainable, "total": total})
    lrs = {"vision": recipe.train.lr_vision, "mfa": recipe.train.lr_mfa, "llm": recipe.train.lr_llm}
    report_callback = RunReportCallback(report)
    trainer = AestheticTrainer(
        model=model, args=args, train_dataset=dataset, data_collator=MultimodalCollator(processor),
        callbacks=[CompleteCheckpointCallback(config), report_callback, *callbacks],
        rating_word_ids=rating_ids, part_lrs=lrs,
        correlation_weight=recipe.tasks.correlation_loss,  # read only with rating ids: stage 2
        image_contrast_weight=recipe.tasks.image_contrast_loss if rating_ids is not None else 0.0,
    )
    report_callback.skip_counts = trainer.skip_counts  # counted from the batches: exact with DataLoader workers
    if isinstance(model, Stage1Objective) and _is_peft(model.model) and _zero3(trainer):
        raise ValueError("stage 1 with LoRA merges the adapter into the saved model, which DeepSpeed ZeRO-3's "
                         "partitioned weights do not allow: use ZeRO-2, or model.adaptation.method=full/frozen")
    resume = resolve_resume(recipe.train.resume_from_checkpoint, args.output_dir, config)
    if resume:
        logger.info("resuming from %s", resume)
    trainer.train(resume_from_checkpoint=resume)
    return trainer


def _is_peft(model) -> bool:
    from peft import PeftModel

    return isinstance(model, PeftModel)


def _zero3(trainer: AestheticTrainer) -> bool:
    plugin = trainer.accelerator.state.deepspeed_plugin if trainer.is_deepspeed_enabled else None
    return plugin is not None and plugin.zero_stage == 3


def _plain(model):
    """An adapter dir given as ``model.path`` is merged into its base, so adaptation never nests PEFT models."""
    if _is_peft(model):
        logger.info("model.path is an adapter directory: merging it into its base before model.adaptation")
        return model.merge_and_unload()
    return model


def stage_mixture(recipe: Recipe) -> dict[str, float]:
    """The task weights of the recipe's stage (tasks with weight 0 left out)."""
    t = recipe.tasks
    weights = ({"ssl": 1.0, "chat": t.chat} if recipe.stage == "stage1" else
               {"scoring": t.scoring, "commenting": t.commenting, "suggesting": t.suggesting, "piaa": t.piaa,
                "chat": t.chat})
    return {k: w for k, w in weights.items() if w > 0}


def pretrain(recipe: Recipe, callbacks: Sequence[TrainerCallback] = ()) -> Path:
    """Stage 1: text-guided multi-scale self-supervised learning on unlabeled images."""
    set_seed(recipe.train.seed)
    model, processor = build_model(recipe.model)
    model = _plain(model)
    records, counts = load_records(recipe.data)
    targets = Stage1Targets(processor.tokenizer, seed=recipe.train.seed, rank=recipe.ssl.rank_loss > 0,
                            rank_edits=recipe.ssl.rank_edits)
    dataset = _dataset(recipe, records, processor, stage_mixture(recipe), extras=targets)
    model = apply_adaptation(model, recipe.model.adaptation, recipe.model.gradient_checkpointing)
    objective = Stage1Objective(model, {lv: len(targets.names[lv]) for lv in SSL_LEVELS}, recipe.ssl)
    trainer = _fit(recipe, objective, processor, dataset, counts, callbacks=callbacks)
    heads = {"levels": {lv: len(targets.names[lv]) for lv in SSL_LEVELS}, "attribute_names": targets.names,
             "mfa_hidden_size": model.config.mfa_hidden_size, "text_hidden_size": model.config.text_config.hidden_size,
             "ssl": asdict(recipe.ssl)}
    return _save_final(trainer, processor, recipe.train.output_dir, stage1_heads=heads)


def sft(recipe: Recipe, callbacks: Sequence[TrainerCallback] = ()) -> Path:
    """Stage 2: instruction tuning on the weighted task mixture."""
    set_seed(recipe.train.seed)
    adaptation = recipe.model.adaptation
    model, processor = build_model(recipe.model, quantization_config(adaptation))
    model = _plain(model)
    records, counts = load_records(recipe.data)
    dataset = _dataset(recipe, records, processor, stage_mixture(recipe), words=model.config.rating_words)
    if adaptation.method in ("lora", "qlora") and not recipe.model.path:
        _save_composed_base(model, processor, Path(recipe.train.output_dir) / BASE_DIR)
    model = apply_adaptation(model, adaptation, recipe.model.gradient_checkpointing)
    trainer = _fit(recipe, model, processor, dataset, counts, dataset.rating_word_ids, callbacks)
    return _save_final(trainer, processor, recipe.train.output_dir)


BASE_DIR = "base_model"


def _save_composed_base(model, processor, out: Path) -> None:
    """A LoRA adapter names its base by path: a base composed in memory (preset, model.vision + model.llm,
    a LLaVA checkpoint) is saved once under the run's ``base_model/`` and the adapter points there."""
    from accelerate import PartialState

    from ..model.loading import save_model

    state = PartialState()
    with state.main_process_first():
        if state.is_main_process and not (out / "config.json").is_file():
            save_model(model, processor, out)
    model.name_or_path = str(out.resolve())


def _save_model(trained, state: dict[str, torch.Tensor], out: Path, stage1_heads: dict[str, Any] | None) -> None:
    """``trained`` (unwrapped) in its standard format from the gathered ``state``.

    Stage 1 (``trained`` is the ``Stage1Objective``): the MLLM alone, as a plain model dir with a
    LoRA adapter merged in, and the stage-1 heads beside it (``stage1_heads.safetensors``).
    """
    if stage1_heads is None:
        trained.save_pretrained(out, state_dict=state)
        return
    prefix = "model."
    if _is_peft(trained.model):  # weights are whole on this rank (ZeRO-3 is refused before training)
        trained.model.merge_and_unload().save_pretrained(out)
    else:
        trained.model.save_pretrained(out, state_dict={k[len(prefix):]: v for k, v in state.items()
                                                       if k.startswith(prefix)})
    save_stage1_heads(out, {k: v for k, v in state.items() if not k.startswith(prefix)}, stage1_heads)


def _save_final(trainer: AestheticTrainer, processor, output_dir: str,
                stage1_heads: dict[str, Any] | None = None) -> Path:
    """Save the (gathered) model in its standard format plus the processor; returns the dir."""
    out = Path(output_dir)
    state = trainer.accelerator.get_state_dict(trainer.model_wrapped if trainer.is_deepspeed_enabled else trainer.model)
    if trainer.args.should_save:
        _save_model(trainer.accelerator.unwrap_model(trainer.model), state, out, stage1_heads)
        processor.save_pretrained(out)
        from ..model_card import write_model_card

        write_model_card(out)
    trainer.accelerator.wait_for_everyone()
    return out


STAGES = {"stage1": pretrain, "stage2": sft}


def train(recipe: Recipe, callbacks: Sequence[TrainerCallback] = ()) -> Path:
    """Run the recipe's stage (extra Trainer ``callbacks`` optional); returns the saved model's directory."""
    return STAGES[recipe.stage](recipe, callbacks)
