"""Losses beyond the LM loss: soft rating-word labels, score correlation and the stage-1 objectives."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..contract.levels import expected_level

IGNORE_INDEX = -100


def soft_label_lm_loss(logits: torch.Tensor, labels: torch.Tensor, soft_targets: torch.Tensor | None,
                       word_ids: list[int], soft_positions: torch.Tensor | None = None) -> torch.Tensor:
    """Causal-LM cross-entropy where each sample's rating-word token is trained on a soft target.

    ``soft_positions[row]`` is the index in ``labels`` of the row's rating-word token (located in
    context when the sample was encoded; -1 for rows without a soft target). For rows with a
    non-zero ``soft_targets`` row that token is trained against the distribution over ``word_ids``
    (full-vocabulary softmax, so the mass moves onto the words); every other labelled token keeps
    its hard target. Mean over tokens. Only the labelled positions are normalised (one
    log-softmax over those rows, never over the whole sequence).
    """
    shift_labels = labels[:, 1:]
    hard = shift_labels != IGNORE_INDEX
    soft_rows = torch.zeros(0, dtype=torch.long, device=labels.device)
    if soft_targets is not None:
        soft_rows = torch.nonzero(soft_targets.sum(-1) > 0).flatten()
    if len(soft_rows):
        positions = None if soft_positions is None else soft_positions.to(labels.device)[soft_rows]
        if positions is None or bool((positions < 1).any()):
            raise ValueError("a soft target's rating word was not located in its sample (no soft position); "
                             "encode samples with TaskDataset, which finds the rating word in context")
        if bool((labels[soft_rows, positions] == IGNORE_INDEX).any()):
            raise ValueError("a soft target's rating-word position is not a labelled token")
        hard = hard.clone()
        hard[soft_rows, positions - 1] = False
    shifted = logits[:, :-1]
    rows = shifted[hard]
    if len(soft_rows):
        rows = torch.cat([rows, shifted[soft_rows, positions - 1]])
    log_probs = F.log_softmax(rows.float(), dim=-1)
    n_hard = int(hard.sum())
    total = -log_probs[:n_hard].gather(-1, shift_labels[hard].unsqueeze(-1)).sum()
    if len(soft_rows):
        words = torch.tensor(word_ids, device=labels.device)
        total = total - (soft_targets[soft_rows].to(log_probs.dtype) * log_probs[n_hard:][:, words]).sum()
    return total / max(n_hard + len(soft_rows), 1)


def score_correlation_loss(logits: torch.Tensor, soft_targets: torch.Tensor, soft_positions: torch.Tensor,
                           word_ids: list[int]) -> torch.Tensor:
    """``1 - PLCC`` between the expected levels a batch's scoring rows predict and their targets'.

    Each row with a soft target is read as the scorer reads it: a softmax over the rating words'
    logits at the position predicting its rating word (``soft_positions - 1``), weighted by level.
    The loss depends on the predictions' differences only, so a model answering one prior for
    every image gains nothing from it (the soft-label loss alone can settle there). Zero (no
    gradient) when fewer than two rows have a target or the targets do not vary.
    """
    rows = torch.nonzero(soft_targets.sum(-1) > 0).flatten()
    targets = expected_level(soft_targets[rows].float())
    if len(rows) < 2 or float(targets.std()) == 0.0:
        return logits.new_zeros(())
    positions = soft_positions.to(logits.device)[rows] - 1
    words = torch.tensor(word_ids, device=logits.device)
    predicted = expected_level(torch.softmax(logits[rows, positions][:, words].float(), dim=-1))
    p, t = predicted - predicted.mean(), targets - targets.mean()
    return 1 - (p * t).sum() / (p.norm() * t.norm()).clamp(min=1e-8)


def answer_log_likelihood(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Each row's summed log-probability of its labelled tokens (causal shift), shape (rows,).

    Only the labelled positions are normalised, as in ``soft_label_lm_loss``.
    """
    shift_labels = labels[:, 1:]
    mask = shift_labels != IGNORE_INDEX
    log_probs = F.log_softmax(logits[:, :-1][mask].float(), dim=-1)
    picked = log_probs.gather(-1, shift_labels[mask].unsqueeze(-1)).squeeze(-1)
    return picked.new_zeros(len(labels)).index_add(0, mask.nonzero(as_tuple=True)[0], picked)


def image_contrast_loss(own_logits: torch.Tensor, swapped_logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """``-log sigmoid(log p(answer | own image) - log p(answer | another image))``, mean over rows.

    A pairwise preference (as in DPO, with the image as the thing preferred): each answer must be
    likelier beside its own image than beside another sample's. The LM loss alone can learn the
    answers' text and not their dependence on the pixels (the answer a text-only model gives is
    equally likely with any image); this loss is log 2 for such a model and depends on the
    difference only.
    """
    margin = answer_log_likelihood(own_logits, labels) - answer_log_likelihood(swapped_logits, labels)
    return -F.logsigmoid(margin).mean()


def contrast_pairs(input_ids: torch.Tensor, labels: torch.Tensor, soft_targets: torch.Tensor | None,
                   image_token_id: int, per_image: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The rows ``image_contrast_loss`` reads, with their own and their partner's image indices.

    Eligible: rows with exactly one image and a text answer (no soft target: scoring rows have
    ``score_correlation_loss``). Each eligible row is paired with the next one's image (cyclically);
    a pair whose answers are the same tokens is dropped, since neither image explains it better.
    Returns (rows, own image indices, partner image indices) into the batch's ``pixel_values``.
    """
    counts = (input_ids == image_token_id).sum(-1) // per_image
    first_image = torch.cumsum(counts, 0) - counts
    eligible = counts == 1
    if soft_targets is not None:
        eligible &= soft_targets.sum(-1) == 0
    rows = torch.nonzero(eligible).flatten()
    empty = rows.new_zeros(0)
    if len(rows) < 2:
        return empty, empty, empty
    partners = rows.roll(-1)
    answers = [tuple(labels[r][labels[r] != IGNORE_INDEX].tolist()) for r in rows.tolist()]
    keep = torch.tensor([answers[i] != answers[(i + 1) % len(answers)] for i in range(len(answers))],
                        dtype=torch.bool, device=rows.device)
    rows, partners = rows[keep], partners[keep]
    return rows, first_image[rows], first_image[partners]


def info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float) -> torch.Tensor:
    """Symmetric InfoNCE between row-aligned embeddings ``a`` and ``b`` (N x D)."""
    a, b = F.normalize(a.float(), dim=-1), F.normalize(b.float(), dim=-1)
    logits = a @ b.T / temperature
    target = torch.arange(len(a), device=a.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
