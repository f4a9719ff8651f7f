"""The soft rating-word loss and the contrastive loss against direct computations."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from aesthetic_mllm.train.losses import info_nce, soft_label_lm_loss


def test_soft_label_loss_replaces_the_word_position_only():
    torch.manual_seed(0)
    logits = torch.randn(2, 5, 11)
    labels = torch.tensor([[-100, -100, 7, 3, 2], [-100, 4, 8, 9, -100]])
    words = [7, 8]
    soft = torch.tensor([[0.25, 0.75], [0.0, 0.0]])  # row 1 has no soft target
    loss = soft_label_lm_loss(logits, labels, soft, words, soft_positions=torch.tensor([2, -1]))

    logp = F.log_softmax(logits, -1)
    # row 0: label 7 at position 2 is predicted by logits at 1 (soft); labels 3, 2 hard
    terms = [-(0.25 * logp[0, 1, 7] + 0.75 * logp[0, 1, 8]), -logp[0, 2, 3], -logp[0, 3, 2]]
    terms += [-logp[1, 0, 4], -logp[1, 1, 8], -logp[1, 2, 9]]
    torch.testing.assert_close(loss, torch.stack(terms).mean())


def test_soft_label_loss_without_targets_is_plain_cross_entropy():
    logits = torch.randn(1, 4, 6)
    labels = torch.tensor([[-100, 1, 2, 3]])
    expected = F.cross_entropy(logits[0, :-1], labels[0, 1:])
    torch.testing.assert_close(soft_label_lm_loss(logits, labels, None, [1, 2]), expected)


def test_info_nce_is_low_for_aligned_pairs():
    a = torch.eye(4) * 5
    assert info_nce(a, a, 0.1) < 1e-3 < info_nce(a, a.roll(1, 0), 0.1)
