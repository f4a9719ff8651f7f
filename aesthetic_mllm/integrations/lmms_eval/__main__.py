"""``python -m aesthetic_mllm.integrations.lmms_eval DATA OUT_DIR [--range LO,HI] [--name NAME]``: write a task."""

from __future__ import annotations

import argparse
import sys

from .data import write_task


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aesthetic_mllm.integrations.lmms_eval",
                                     description="Write an lmms-eval aesthetic scoring task for a local dataset.")
    parser.add_argument("data", help="a CSV/TSV/XLSX/JSON table (image,score) or a record JSONL")
    parser.add_argument("out", help="task folder to write (pass it to lmms-eval --include_path)")
    parser.add_argument("--name", default="aesthetic_scoring", help="task name (default aesthetic_scoring)")
    parser.add_argument("--range", dest="score_range", help="score range LO,HI (required for a table)")
    parser.add_argument("--path-column", default="image")
    parser.add_argument("--score-column", default="score")
    parser.add_argument("--image-root", help="folder the image paths are relative to (default: the file's)")
    args = parser.parse_args(argv)
    try:
        task = write_task(args.data, args.out, args.name, args.score_range, path_column=args.path_column,
                          score_column=args.score_column, image_root=args.image_root)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {task}; run: lmms-eval --model aesthetic_mllm --model_args pretrained=MODEL_DIR "
          f"--tasks {args.name} --include_path {task.parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
