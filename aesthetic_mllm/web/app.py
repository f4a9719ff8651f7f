"""The Gradio page: tabs for one photo, personalization and batch scoring, over one loaded scorer.

Built with ``gradio.Blocks``; launched on loopback by default with analytics off and no share
link. Problems show as one line in each tab's status box (and the server log keeps the details).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import handlers
from .handlers import DemoError

logger = logging.getLogger(__name__)
TITLE = "Aesthetic MLLM"


def _guard(fn: Callable, empty: tuple) -> Callable:
    """Run ``fn``; on a problem return ``empty`` outputs and a one-line status instead of raising."""

    def run(*args):
        try:
            return fn(*args)
        except DemoError as exc:
            return (*empty, f"error: {exc}")
        except Exception as exc:  # noqa: BLE001 - the page gets one line, the log the traceback
            logger.exception("demo handler failed")
            return (*empty, f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")

    return run


def build_demo(scorer, title: str = TITLE):
    """The ``gradio.Blocks`` page for ``scorer`` (an :class:`~aesthetic_mllm.scoring.AestheticScorer`)."""
    import gradio as gr
    import pandas as pd

    lo, hi = scorer.range
    words = list(scorer.words)
    out_dir = Path(tempfile.mkdtemp(prefix="aesthetic_demo_"))

    def photo(path):
        res = handlers.analyse_photo(scorer, path)
        dist = pd.DataFrame({"word": list(res.distribution), "probability": list(res.distribution.values())})
        return (f"{res.score:.4f}", dist, res.critique, res.advice, handlers._open(path),
                f"scored {Path(path).name} on {lo:g}-{hi:g}")

    def batch(files, folder):
        rows, problems = handlers.score_batch(scorer, handlers.collect_images(files, folder))
        if not rows:
            raise DemoError("; ".join(problems))
        header = ["file", "score", "word"]
        csv_path = handlers.rows_to_csv(rows, header, out_dir / "scores.csv")
        note = f"scored {len(rows)} photo(s) on {lo:g}-{hi:g}"
        if problems:
            note += f"; skipped {len(problems)}: " + "; ".join(problems)
        return pd.DataFrame(rows, columns=header), str(csv_path), note

    def personal(rated, scores_text, examples_csv, queries):
        if examples_csv:
            examples = handlers.read_examples_csv(examples_csv, (lo, hi))
        else:
            rated = list(rated or [])
            examples = list(zip(rated, handlers.parse_scores(scores_text or "", len(rated), (lo, hi)), strict=True))
        rows = handlers.personal_scores(scorer, examples, list(queries or []))
        table = pd.DataFrame(rows, columns=["file", "personal score", "general score"])
        return table, f"scored {len(rows)} photo(s) from {len(examples)} rated example(s) on {lo:g}-{hi:g}"

    with gr.Blocks(title=title, analytics_enabled=False) as demo:
        gr.Markdown(f"# {title}\nScores on {lo:g}-{hi:g} from the rating words {', '.join(words)} (best first).")
        with gr.Tab("Photo", id="photo-tab"):
            with gr.Row():
                with gr.Column():
                    photo_in = gr.File(label="Photo", file_types=["image"], type="filepath", elem_id="photo")
                    photo_btn = gr.Button("Score", variant="primary", elem_id="score-button")
                    preview = gr.Image(label="Preview", interactive=False, elem_id="preview")
                with gr.Column():
                    score = gr.Textbox(label=f"Score ({lo:g}-{hi:g})", elem_id="score", interactive=False)
                    chart = gr.BarPlot(x="word", y="probability", sort=words, y_lim=[0, 1],
                                       label="Rating-word distribution", elem_id="distribution")
                    critique = gr.Textbox(label="Critique", lines=3, elem_id="critique", interactive=False)
                    advice = gr.Textbox(label="Advice", lines=3, elem_id="advice", interactive=False)
                    photo_status = gr.Textbox(label="Status", elem_id="photo-status", interactive=False)
            photo_btn.click(_guard(photo, ("", None, "", "", None)), [photo_in],
                            [score, chart, critique, advice, preview, photo_status])
        with gr.Tab("Personal", id="personal-tab"):
            gr.Markdown("A few photos rated by one person (or an examples CSV with image,score) give that "
                        "person's scores for new photos, in context.")
            with gr.Row():
                with gr.Column():
                    rated = gr.File(label="Rated photos", file_count="multiple", file_types=["image"],
                                    type="filepath", elem_id="rated")
                    scores_text = gr.Textbox(label=f"Their scores ({lo:g}-{hi:g}), one per photo in order",
                                             placeholder="e.g. 4, 2.5, 5", elem_id="rated-scores")
                    examples_csv = gr.File(label="or an examples CSV (image,score)", file_types=[".csv"],
                                           type="filepath", elem_id="examples-csv")
                    queries = gr.File(label="New photos", file_count="multiple", file_types=["image"],
                                      type="filepath", elem_id="queries")
                    personal_btn = gr.Button("Score for this person", variant="primary", elem_id="personal-button")
                with gr.Column():
                    personal_table = gr.Dataframe(label="Personal scores", interactive=False, elem_id="personal-table")
                    personal_status = gr.Textbox(label="Status", elem_id="personal-status", interactive=False)
            personal_btn.click(_guard(personal, (None,)), [rated, scores_text, examples_csv, queries],
                               [personal_table, personal_status])
        with gr.Tab("Batch", id="batch-tab"):
            with gr.Row():
                with gr.Column():
                    batch_files = gr.File(label="Photos", file_count="multiple", file_types=["image"],
                                          type="filepath", elem_id="batch-files")
                    folder = gr.Textbox(label="or a folder on this machine", elem_id="batch-folder")
                    batch_btn = gr.Button("Score all", variant="primary", elem_id="batch-button")
                with gr.Column():
                    table = gr.Dataframe(label="Scores (click a header to sort)", interactive=False,
                                         elem_id="batch-table")
                    download = gr.File(label="CSV", interactive=False, elem_id="batch-csv")
                    batch_status = gr.Textbox(label="Status", elem_id="batch-status", interactive=False)
            batch_btn.click(_guard(batch, (None, None)), [batch_files, folder], [table, download, batch_status])
    return demo


def launch(scorer, host: str = "127.0.0.1", port: int = 7860, block: bool = True, title: str = TITLE):
    """Serve the demo (loopback by default, no share link, analytics off); returns the Blocks when not blocking."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    demo = build_demo(scorer, title)
    demo.queue(default_concurrency_limit=1)
    demo.launch(server_name=host, server_port=port, share=False, inbrowser=False, ssr_mode=False,
                prevent_thread_lock=not block, quiet=not block)
    return demo
