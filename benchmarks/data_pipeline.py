"""Does the data pipeline keep up? Data-only samples/s beside the train step's consumption.

Data side: the trainer's own DataLoader (``AestheticTrainer.get_train_dataloader``: length-grouped
sampler, the recipe's default ``dataloader_num_workers``, the collator) over the real
``TaskDataset`` of the demo world (built at ``--image-px``, 336 by default, and processed at that
size), for stage 1 (SSL task + per-image pseudo-label targets) and stage 2 (the real-scale recipe's
task mixture: scoring, commenting, suggesting, PIAA). Consumption side: samples/s of one train step
(forward, backward, AdamW) of the ``--preset`` model at its own input size on batches of the same
pipeline, computed by the trainer's ``compute_loss``. Target: data >= 2x consumption. Run:

    .venv/bin/python benchmarks/data_pipeline.py [--preset small] [--batch 16] [--batches 12] [--steps 4]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
#: the real-scale stage-2 task weights (recipes/stage2/clip_l336_llama7b_lora.yaml)
STAGE2_TASKS = {"scoring": 1.0, "commenting": 0.5, "suggesting": 0.2, "piaa": 0.3}
STAGE2_MAX_LENGTH = 2048


def make_recipe(stage: str, preset: str, batch: int, image_px: int, out_dir: str):
    """The quickstart recipe of ``stage`` at ``preset`` size on a demo world built at ``image_px``."""
    from aesthetic_mllm.config import Recipe, build, deep_merge, read_yaml

    data = read_yaml(ROOT / "recipes" / "quickstart" / f"{stage}.yaml")
    data = deep_merge(data, {"model": {"preset": preset},
                             "train": {"per_device_batch_size": batch, "output_dir": out_dir, "report_to": "none",
                                       "progress": False, "resume_from_checkpoint": None}})
    subsets = ["unlabeled"] if stage == "stage1" else ["scoring", "users"]
    data["data"]["sources"] = [{"name": "world", "split": "train", "options": {"subset": s, "image_size": image_px}}
                               for s in subsets]
    if stage == "stage2":  # the real-scale task mixture and prompt budget (PIAA holds several images)
        data["tasks"] = {**data.get("tasks", {}), **STAGE2_TASKS}
        data["data"]["max_length"] = STAGE2_MAX_LENGTH
    return build(Recipe, data)


def make_dataset(recipe, processor, words):
    """Records -> ``TaskDataset`` (+ stage-1 targets), built by the stage workflows' own helpers."""
    from aesthetic_mllm.train.objectives import Stage1Targets
    from aesthetic_mllm.train.records import load_records
    from aesthetic_mllm.train.workflows import _dataset, stage_mixture

    records, _ = load_records(recipe.data)
    if recipe.stage == "stage1":
        extras = Stage1Targets(processor.tokenizer, seed=recipe.train.seed)
        return _dataset(recipe, records, processor, stage_mixture(recipe), extras=extras), extras
    return _dataset(recipe, records, processor, stage_mixture(recipe), words=words), None


def make_trainer(recipe, model, processor, dataset, extras):
    """The project's trainer as the workflows configure it (its dataloader is what is measured)."""
    from aesthetic_mllm.data.collator import MultimodalCollator
    from aesthetic_mllm.model.adaptation import apply_adaptation
    from aesthetic_mllm.train.objectives import SSL_LEVELS, Stage1Objective
    from aesthetic_mllm.train.trainer import AestheticTrainer
    from aesthetic_mllm.train.workflows import training_arguments

    model = apply_adaptation(model, recipe.model.adaptation, recipe.model.gradient_checkpointing)
    rating_ids = None
    if recipe.stage == "stage1":
        model = Stage1Objective(model, {lv: len(extras.names[lv]) for lv in SSL_LEVELS}, recipe.ssl)
    else:
        rating_ids = dataset.rating_word_ids
    return AestheticTrainer(model=model, args=training_arguments(recipe), train_dataset=dataset,
                            data_collator=MultimodalCollator(processor), rating_word_ids=rating_ids,
                            group_by_length=recipe.train.group_by_length)


def data_rate(loader, batches: int) -> dict[str, float]:
    """Samples/s of iterating ``loader`` (after its first batch, which includes worker start-up)."""
    start = time.perf_counter()
    it = iter(loader)
    first = next(it)
    first_s = time.perf_counter() - start
    seen, start = 0, time.perf_counter()
    for _ in range(batches):
        try:
            batch = next(it)
        except StopIteration:
            break
        seen += len(batch["input_ids"])
    elapsed = time.perf_counter() - start
    del first
    return {"samples_per_s": seen / elapsed, "first_batch_s": first_s, "batches": batches, "samples": seen}


def step_rate(trainer, batches: list[dict[str, Any]]) -> dict[str, float]:
    """Samples/s of train steps (forward + backward + AdamW) on pre-collated batches; median step."""
    model = trainer.model
    params = [p for p in model.parameters() if p.requires_grad]
    optim = torch.optim.AdamW(params, lr=1e-4)
    times, sizes = [], []
    for i, batch in enumerate(batches):
        inputs = copy.copy(batch)
        start = time.perf_counter()
        loss = trainer.compute_loss(model, inputs)
        loss.backward()
        optim.step()
        optim.zero_grad(set_to_none=True)
        if i > 0:  # the first step allocates optimizer state
            times.append(time.perf_counter() - start)
            sizes.append(len(batch["input_ids"]))
    step = statistics.median(times)
    return {"samples_per_s": statistics.mean(sizes) / step, "step_s": step, "steps": len(times)}


def measure(stage: str, preset: str, batch: int, image_px: int, batches: int, steps: int) -> dict[str, Any]:
    from aesthetic_mllm.model.loading import from_preset

    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as out_dir:
        recipe = make_recipe(stage, preset, batch, image_px, out_dir)
        model, processor = from_preset(preset)
        model_px = processor.image_processor.size["height"]
        # data side: the same processor, its images at image_px
        data_processor = copy.copy(processor)
        data_processor.image_processor = copy.deepcopy(processor.image_processor)
        data_processor.image_processor.size = {"height": image_px, "width": image_px}
        words = model.config.rating_words
        dataset, extras = make_dataset(recipe, data_processor, words)
        trainer = make_trainer(recipe, model, data_processor, dataset, extras)
        workers = trainer.args.dataloader_num_workers
        data = data_rate(trainer.get_train_dataloader(), batches)
        # consumption side: the same pipeline at the model's input size, batches collated beforehand
        step_dataset, _ = make_dataset(recipe, processor, words)
        trainer.train_dataset, trainer.data_collator.processor = step_dataset, processor
        trainer.args.dataloader_num_workers = 0
        it = iter(trainer.get_train_dataloader())
        step_batches = [next(it) for _ in range(steps + 1)]
        consume = step_rate(trainer, step_batches)
    return {"stage": stage, "preset": preset, "batch": batch, "data_image_px": image_px, "model_image_px": model_px,
            "dataloader_num_workers": workers, "records": len(dataset.records),
            "data": data, "step": consume, "ratio": data["samples_per_s"] / consume["samples_per_s"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="small")
    parser.add_argument("--stages", default="stage1,stage2")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--image-px", type=int, default=336)
    parser.add_argument("--batches", type=int, default=12, help="batches timed on the data side")
    parser.add_argument("--steps", type=int, default=4, help="train steps timed (after one warm-up)")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    rows = [measure(stage, args.preset, args.batch, args.image_px, args.batches, args.steps)
            for stage in args.stages.split(",")]
    print(f"demo world (synthetic), batch {args.batch}, torch threads {torch.get_num_threads()}")
    print(f"{'stage':<7} {'workers':>7} {'data px':>7} {'data samples/s':>15} {'first batch s':>13} "
          f"{'model px':>8} {'step s':>7} {'step samples/s':>15} {'data/step':>9}")
    for r in rows:
        d, s = r["data"], r["step"]
        print(f"{r['stage']:<7} {r['dataloader_num_workers']:>7} {r['data_image_px']:>7} {d['samples_per_s']:>15.1f} "
              f"{d['first_batch_s']:>13.2f} {r['model_image_px']:>8} {s['step_s']:>7.2f} {s['samples_per_s']:>15.1f} "
              f"{r['ratio']:>8.2f}x")
    for r in rows:
        verdict = "met" if r["ratio"] >= 2 else "NOT met"
        print(f"target data >= 2x step consumption, {r['stage']} at the {r['preset']} preset: {r['ratio']:.2f}x ({verdict})")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
