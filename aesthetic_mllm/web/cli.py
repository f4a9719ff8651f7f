"""``aesthetic-mllm demo``: its arguments and handler (Gradio and the model are imported only when it runs)."""

from __future__ import annotations

import argparse


def _demo(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise ValueError("the demo needs Gradio: pip install 'aesthetic_mllm[demo]'") from None
    from ..scoring import AestheticScorer
    from .app import launch

    kwargs = {"score_range": args.range} if args.range else {}
    scorer = AestheticScorer.from_pretrained(args.model, device=args.device, **kwargs)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host}: anyone who can reach this machine can use the demo")
    launch(scorer, host=args.host, port=args.port)
    return 0


def add_demo_parser(sub) -> None:
    """Register ``demo`` on the top-level subparsers."""
    p = sub.add_parser("demo", help="web demo in the browser (Gradio): score, critique, advice, personal, batch",
                       description="Serve a web page for a saved model: one photo (score, rating-word "
                                   "distribution, critique, advice), personalization from a few rated photos, "
                                   "and batch scoring with a CSV download. Loopback only unless --host says otherwise.")
    p.add_argument("--model", required=True, help="saved model directory (or base + adapter directory)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--range", help="score range LO,HI (default the scorer's, 1,5)")
    p.add_argument("--device", help="cuda, cpu, ... (default: cuda when available)")
    p.set_defaults(func=_demo)
