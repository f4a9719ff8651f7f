"""``aesthetic-mllm`` command line (dispatch only; the work lives in the library)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def _env(args: argparse.Namespace) -> int:
    from .env_report import collect, format_report

    info = collect()
    print(json.dumps(info, indent=2) if args.json else format_report(info))
    return 0


def _init_model(args: argparse.Namespace) -> int:
    from .model.loading import init_model

    out = init_model(args.out, preset=args.preset, vision=args.vision, llm=args.llm, llava=args.from_llava)
    print(f"saved model and processor to {out}")
    return 0


def _data_check(args: argparse.Namespace) -> int:
    from .data.check import run_check

    return run_check(args)


def _train(args: argparse.Namespace) -> int:
    from .config import load_recipe
    from .train import train

    recipe = load_recipe(args.recipe, args.overrides)
    out = train(recipe)
    if recipe.train.report_to == "wandb":  # close the run so its summary and history are complete on disk
        import wandb

        wandb.finish()
    print(f"saved {recipe.stage} model to {out}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from .export import export_model

    out = export_model(args.adapter_dir, args.out, dtype=args.dtype)
    print(f"saved the merged model (loads without peft) and its model card to {out}")
    return 0


class _DeferredParser(argparse.ArgumentParser):
    """A subcommand parser whose arguments are added on first use, because defining them imports heavy modules."""

    def __init__(self, *args, add_arguments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_arguments = add_arguments

    def _populate(self) -> None:
        if self._add_arguments is not None:
            add, self._add_arguments = self._add_arguments, None
            add(self)

    def parse_known_args(self, args=None, namespace=None):
        self._populate()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self._populate()
        return super().format_help()


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    from .data.check import add_check_arguments

    add_check_arguments(parser)


def _quickstart(args: argparse.Namespace) -> int:
    from .quickstart import run_quickstart

    run_quickstart(args.out, ablation=not args.no_ablation, overrides=args.overrides)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aesthetic-mllm", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("env", help="print versions, devices and optional dependencies")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_env)

    p = sub.add_parser("init-model", help="compose a model and save it with its tokenizer/processor")
    p.add_argument("out", help="output directory")
    p.add_argument("--preset", default="tiny", help="preset size when composing from configs (tiny, demo, demo_convnext, demo_cnn, small)")
    p.add_argument("--vision", help="local vision-model directory (CLIP, SigLIP, ...)")
    p.add_argument("--llm", help="local causal-LM directory (Llama, Qwen2, ...)")
    p.add_argument("--from-llava", help="local llava-hf checkpoint directory to reuse")
    p.set_defaults(func=_init_model)

    from .evaluation.cli import add_eval_parser
    from .personalize.cli import add_personalize_parsers
    from .personalize.interview.cli import add_interview_parser
    from .plan.cli import add_plan_parser
    from .scoring.cli import add_inference_parsers
    from .web.cli import add_demo_parser

    add_inference_parsers(sub)
    add_eval_parser(sub)
    add_personalize_parsers(sub)
    add_interview_parser(sub)
    add_plan_parser(sub)
    add_demo_parser(sub)

    p = sub.add_parser("train", help="train a recipe (stage 1 or 2); resumes from the last complete checkpoint",
                       description="Train a YAML recipe. Overrides: key=value, dotted (train.lr=1e-4) or short "
                                   "(output_dir=DIR max_steps=N model=DIR seed=N lr=X). Multi-GPU: accelerate launch "
                                   "--config_file recipes/accelerate/<cfg>.yaml -m aesthetic_mllm.cli train RECIPE.yaml")
    p.add_argument("recipe", help="recipe YAML (see recipes/)")
    p.add_argument("overrides", nargs="*", help="key=value overrides")
    p.set_defaults(func=_train)

    p = sub.add_parser("export", help="merge a LoRA adapter (and MFA / modules_to_save) into a plain model dir",
                       description="Merge a PEFT adapter directory into a plain model directory that "
                                   "from_pretrained and AestheticScorer load without peft; writes a model card.")
    p.add_argument("adapter_dir", help="adapter directory (adapter_config.json) or a saved model directory")
    p.add_argument("out", help="output directory (must differ from ADAPTER_DIR)")
    p.add_argument("--dtype", default="float32", choices=["float32", "bf16", "bfloat16", "fp16", "float16"],
                   help="dtype of the saved weights (merged in float32 first; default float32)")
    p.set_defaults(func=_export)

    p = sub.add_parser("quickstart", help="offline demo: stage 1 + stage 2 on the demo world, then evaluate")
    p.add_argument("--out", default="outputs/quickstart", help="output directory")
    p.add_argument("--no-ablation", action="store_true", help="skip the stage-2-without-stage-1 run")
    p.add_argument("overrides", nargs="*", help="key=value overrides applied to both stages")
    p.set_defaults(func=_quickstart)

    data = sub.add_parser("data", help="dataset tools").add_subparsers(dest="data_command", required=True,
                                                                        parser_class=_DeferredParser)
    p = data.add_parser("check", help="load a source, print counts, score statistics and every problem",
                        add_arguments=_check_arguments)
    p.set_defaults(func=_data_check)
    return parser


def subcommands(parser: argparse.ArgumentParser | None = None) -> list[list[str]]:
    """Every (nested) subcommand path of the CLI, read from argparse itself (e.g. ``["data", "check"]``)."""
    paths: list[list[str]] = []

    def walk(node: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in node._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    paths.append([*prefix, name])
                    walk(child, [*prefix, name])

    walk(parser or build_parser(), [])
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; errors in user input print one line and exit 2."""
    args = build_parser().parse_args(argv)
    from .logs import configure_logging

    configure_logging()
    from .config import ConfigError
    from .data.errors import DataError

    try:
        return args.func(args)
    except (ConfigError, DataError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
