"""``aesthetic-mllm plan RECIPE.yaml``: parser and handler (heavy imports inside the handler only)."""

from __future__ import annotations

import argparse


def _plan(args: argparse.Namespace) -> int:
    import json

    from ..config import load_recipe
    from .planner import parse_memory, plan_recipe
    from .report import format_plan, plan_dict

    recipe = load_recipe(args.recipe, args.overrides)
    plan = plan_recipe(recipe, gpu_memory=parse_memory(args.gpu_memory), gpus=args.gpus, records=args.records)
    print(json.dumps(plan_dict(plan), indent=2, default=str) if args.json else format_plan(plan))
    return 0


def add_plan_parser(sub) -> None:
    p = sub.add_parser(
        "plan", help="dry run of a recipe from configs only: parameters, sequence lengths, per-GPU memory",
        description="Build the recipe's model on the meta device from config files (config.json alone is enough "
                    "for model.vision / model.llm / model.path / model.from_llava) and print parameters per part, "
                    "visual tokens, sequence-length percentiles of the first records (when the data is present) "
                    "and per-GPU memory under DDP, ZeRO-2, ZeRO-3 and ZeRO-3 offload, with and without gradient "
                    "checkpointing. No weights are read.")
    p.add_argument("recipe", help="recipe YAML (see recipes/)")
    p.add_argument("overrides", nargs="*", help="key=value overrides, as for train")
    p.add_argument("--gpu-memory", default="80GB", help="memory of one GPU (default 80GB)")
    p.add_argument("--gpus", type=int, default=8, help="number of GPUs (default 8)")
    p.add_argument("--records", type=int, default=1000, help="records read per source for sequence lengths")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_plan)
