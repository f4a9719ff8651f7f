"""The quickstart's report: Markdown summary (also printed), ``report.json`` and PNG figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HEADER = ("Quickstart on the demo world (SYNTHETIC data: real photos from PyPI packages, controlled edits, "
          "simulated scores and users)")


RELIANCE_GAP = 0.01  # answer-loss gap (nats per token) below which the report calls a model blind


def _ci(values: list[float] | None) -> str:
    return f" [{values[0]:.2f}, {values[1]:.2f}]" if values else ""


def format_report(report: dict[str, Any]) -> str:
    """The Markdown summary of a quickstart report (the same text is printed)."""
    lines = [HEADER, "", "Score vs known quality on held-out test photos (never seen in any stage):", "",
             "| run | n | SRCC [95% bootstrap CI] | PLCC [95% CI] | SRCC within a photo | prediction std |",
             "|---|---|---|---|---|---|"]
    for name, r in report["results"].items():
        lines.append(f"| {name.replace('_', ' ')} | {r['n']} | {r['srcc']:.3f}{_ci(r.get('srcc_ci95'))} "
                     f"| {r['plcc']:.3f}{_ci(r.get('plcc_ci95'))} | {r['srcc_within_photo']:.3f} "
                     f"| {r.get('pred_std', float('nan')):.3f} |")
    results = report["results"]
    if {"with_stage1", "without_stage1"} <= set(results):
        gain = results["with_stage1"]["srcc"] - results["without_stage1"]["srcc"]
        lines += ["", f"Stage-1 ablation (one seed; `benchmarks/stage1_ablation.py` runs three): stage 1 + 2 "
                      f"minus stage 2 alone = {gain:+.3f} SRCC."]
    if "suggestions" in report:
        s = report["suggestions"]
        lines += ["", f"Suggesting (`world_suggesting`, {s['n']} edited test images, {s['edits']} edits): the advice "
                      f"names the inverse of the applied edit for {100 * s['suggestion_accuracy']:.1f}% "
                      f"(chance, advice of a random train image: {100 * s['chance']:.1f}%; wrong direction "
                      f"{100 * (s['wrong_direction_rate'] or 0):.1f}%)."]
    if "piaa" in report:
        p = report["piaa"]
        lines += ["", f"Personalization (`world_piaa`, {p['users']} test users, {p['draws']} draws, k = {p['k']}; "
                      "SRCC per draw, mean over draws, then mean +- std over users):", "",
                  "| predictor | SRCC |", "|---|---|",
                  f"| in-context, {p['k']} shots | {p['icl_srcc']:.3f} +- {p['icl_srcc_std']:.3f} |",
                  f"| population model (stage 2) | {p['population_srcc']:.3f} +- {p['population_srcc_std']:.3f} |",
                  "", f"In-context minus population: {p['gain']:+.3f} (better for {p['wins']} of {p['users']} users)."]
    if report.get("image_reliance"):
        checks = report["image_reliance"]
        pairs = ", ".join(f"{task} {c['own']:.4f} / {c['other']:.4f}" for task, c in checks.items())
        blind = all(c["other"] - c["own"] < RELIANCE_GAP for c in checks.values())
        verdict = ("about equal: the answers come from the text, not yet from the pixels" if blind else
                   "the answers depend on the image")
        lines += ["", f"Does the stage-2 model look at the image? Answer loss on the test photos with each photo's "
                      f"own image / another photo's: {pairs} ({verdict}; `benchmarks/image_reliance.py`)."]
    if report.get("examples"):
        lines += ["", "Held-out examples (known quality 0-1 and true score 1-10 beside the model's):", "",
                  "| image | known quality | true score | model score | applied edits | model advice | model comment |",
                  "|---|---|---|---|---|---|---|"]
        for e in report["examples"]:
            lines.append(f"| {e['id'].split('/')[-1]} | {e['quality']:.2f} | {e['true_score']:.2f} | {e['pred']:.2f} "
                         f"| {'; '.join(e['edits']) or 'none (original)'} | {e['advice']} | {e['comment']} |")
    if report.get("figures"):
        lines += ["", "Figures: " + ", ".join(f"![{Path(f).stem}]({f})" for f in report["figures"])]
    lines += ["", "seconds: " + ", ".join(f"{k} {v}" for k, v in report["seconds"].items())]
    return "\n".join(lines) + "\n"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def scatter_figure(results: dict[str, Any], path: Path) -> Path:
    """Predicted score vs known quality per run, coloured by source photo."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(results), figsize=(4.6 * len(results), 4.2), squeeze=False)
    for ax, (name, r) in zip(axes[0], results.items(), strict=True):
        photos = sorted({row["photo"] for row in r["rows"]})
        for photo in photos:
            rows = [row for row in r["rows"] if row["photo"] == photo]
            ax.scatter([row["quality"] for row in rows], [row["pred"] for row in rows], s=14, label=photo)
        ax.set(xlabel="known quality (0-1)", ylabel="predicted score (1-10)",
               title=f"{name.replace('_', ' ')}: SRCC {r['srcc']:.2f}, within-photo {r['srcc_within_photo']:.2f}")
    axes[0][-1].legend(fontsize=6, loc="lower right")
    fig.suptitle("held-out test photos (synthetic demo world)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def examples_figure(examples: list[dict[str, Any]], path: Path) -> Path:
    """Each example image with the truth and the model's score and advice beneath it."""
    import textwrap

    from PIL import Image

    plt = _pyplot()
    fig, axes = plt.subplots(1, len(examples), figsize=(3.1 * len(examples), 4.6), squeeze=False)
    for ax, e in zip(axes[0], examples, strict=True):
        with Image.open(e["image"]) as img:
            ax.imshow(img.convert("RGB"))
        ax.set_axis_off()
        truth = "; ".join(e["edits"]) or "original"
        text = (f"truth: q={e['quality']:.2f}, score {e['true_score']:.1f}\n{textwrap.fill(truth, 34)}\n"
                f"model: score {e['pred']:.1f}\n{textwrap.fill('advice: ' + e['advice'], 34)}")
        ax.set_title(e["id"].split("/")[-1], fontsize=8)
        ax.text(0.0, -0.05, text, transform=ax.transAxes, fontsize=6.5, va="top")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def piaa_figure(piaa: dict[str, Any], path: Path) -> Path:
    """Per-user SRCC: in-context vs the population model."""
    import numpy as np

    plt = _pyplot()
    users = list(piaa["per_user"])
    x = np.arange(len(users))
    fig, ax = plt.subplots(figsize=(max(5, 0.7 * len(users)), 3.6))
    ax.bar(x - 0.2, [piaa["per_user"][u]["icl"] for u in users], 0.4, label=f"in-context, k={piaa['k']}")
    ax.bar(x + 0.2, [piaa["per_user"][u]["population"] for u in users], 0.4, label="population model")
    ax.set_xticks(x, [u.split("_", 1)[0] for u in users], fontsize=8)
    ax.set(ylabel="SRCC (mean over draws)", title="world_piaa test users (synthetic)")
    ax.axhline(0, color="k", lw=0.5)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_report(out: Path, report: dict[str, Any]) -> None:
    """``report.json``, the PNGs and ``report.md`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    figures = [scatter_figure(report["results"], out / "scatter.png")]
    if report.get("examples"):
        figures.append(examples_figure(report["examples"], out / "examples.png"))
    if "piaa" in report:
        figures.append(piaa_figure(report["piaa"], out / "piaa_users.png"))
    report["figures"] = [f.name for f in figures]
    (out / "report.json").write_text(json.dumps(report, indent=2))
    (out / "report.md").write_text(format_report(report))
