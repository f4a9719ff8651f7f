"""The soft-label loss normalises only the labelled positions (no second full-vocabulary log-softmax)."""

from __future__ import annotations

import torch

from aesthetic_mllm.train.losses import soft_label_lm_loss


def _reference(logits, labels, soft, word_ids):
    """Soft CE at the first rating-word label of a soft row, hard CE on every other label; mean over tokens."""
    logp = torch.log_softmax(logits[:, :-1].float(), -1)
    shift = labels[:, 1:].clone()
    total, count = torch.zeros(()), 0
    for row in range(len(labels)):
        if soft[row].sum() > 0:
            pos = int(torch.nonzero(torch.isin(shift[row], torch.tensor(word_ids)))[0])
            total -= (soft[row] * logp[row, pos, word_ids]).sum()
            shift[row, pos] = -100
            count += 1
    mask = shift != -100
    total -= logp[mask].gather(-1, shift[mask][:, None]).sum()
    return total / (count + int(mask.sum()))


def test_log_softmax_runs_on_labelled_positions_only(monkeypatch):
    torch.manual_seed(0)
    batch, length, vocab = 3, 40, 500
    logits = torch.randn(batch, length, vocab)
    labels = torch.full((batch, length), -100)
    word_ids = [11, 12, 13, 14, 15]
    for row in range(batch):
        labels[row, 30:36] = torch.tensor([40, 41, 42, 12 + row, 43, 44])
    soft = torch.tensor([[0.1, 0.2, 0.4, 0.2, 0.1], [0.0] * 5, [0.5, 0.5, 0.0, 0.0, 0.0]])
    expected = _reference(logits, labels, soft, word_ids)
    rows: list[int] = []
    real = torch.nn.functional.log_softmax

    def counting(x, *args, **kwargs):
        rows.append(x.reshape(-1, x.shape[-1]).shape[0])
        return real(x, *args, **kwargs)

    monkeypatch.setattr(torch.nn.functional, "log_softmax", counting)
    monkeypatch.setattr(torch, "log_softmax", counting)
    positions = torch.tensor([33, -1, 33])  # where each row's rating word sits in ``labels`` (-1: no soft target)
    loss = soft_label_lm_loss(logits, labels, soft, word_ids, soft_positions=positions)
    torch.testing.assert_close(loss, expected)
    labelled = int((labels[:, 1:] != -100).sum())
    assert sum(rows) <= labelled, f"log-softmax over {sum(rows)} rows for {labelled} labelled positions"
