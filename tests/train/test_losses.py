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


def _pearson(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    x, y = x - x.mean(), y - y.mean()
    return (x * y).sum() / (x.norm() * y.norm())


def test_score_correlation_loss_is_one_minus_plcc_of_expected_levels():
    """The loss reads each row's word logits at its rating position, as the scorer does."""
    from aesthetic_mllm.contract.levels import expected_level
    from aesthetic_mllm.train.losses import score_correlation_loss

    torch.manual_seed(0)
    logits = torch.randn(4, 6, 9, requires_grad=True)
    words = [3, 4, 5]  # best first
    soft = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.1, 0.8, 0.1], [0.0, 0.2, 0.8]])  # row 1: no target
    positions = torch.tensor([3, -1, 2, 5])
    loss = score_correlation_loss(logits, soft, positions, words)

    rows = torch.tensor([0, 2, 3])
    probs = torch.softmax(logits[rows, positions[rows] - 1][:, words], -1)
    expected = 1 - _pearson(expected_level(probs), expected_level(soft[rows]))
    torch.testing.assert_close(loss, expected)
    loss.backward()
    assert logits.grad[1].abs().sum() == 0 and logits.grad[0, 2, words].abs().sum() > 0


def test_score_correlation_loss_is_zero_without_a_spread_of_targets():
    from aesthetic_mllm.train.losses import score_correlation_loss

    logits = torch.randn(3, 4, 6)
    same = torch.tensor([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])
    assert float(score_correlation_loss(logits, same, torch.tensor([2, 2, 3]), [1, 2])) == 0.0
    one = torch.tensor([[0.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    assert float(score_correlation_loss(logits, one, torch.tensor([2, -1, -1]), [1, 2])) == 0.0


def test_image_contrast_loss_prefers_each_answer_with_its_own_image():
    """-log sigmoid(log p(answer | own image) - log p(answer | another's)), over labelled tokens."""
    from aesthetic_mllm.train.losses import answer_log_likelihood, image_contrast_loss

    torch.manual_seed(0)
    labels = torch.tensor([[-100, 3, 4], [-100, -100, 5]])
    own, swapped = torch.randn(2, 3, 7, requires_grad=True), torch.randn(2, 3, 7)
    logp_own, logp_swap = F.log_softmax(own, -1), F.log_softmax(swapped, -1)
    ll_own = torch.stack([logp_own[0, 0, 3] + logp_own[0, 1, 4], logp_own[1, 1, 5]])
    ll_swap = torch.stack([logp_swap[0, 0, 3] + logp_swap[0, 1, 4], logp_swap[1, 1, 5]])
    torch.testing.assert_close(answer_log_likelihood(own, labels), ll_own)
    loss = image_contrast_loss(own, swapped, labels)
    torch.testing.assert_close(loss, -F.logsigmoid(ll_own - ll_swap).mean())
    loss.backward()
    assert own.grad[1, 1, 5] < 0  # raising the own image's likelihood of the answer lowers the loss
    same = image_contrast_loss(own.detach(), own.detach(), labels)
    torch.testing.assert_close(same, torch.log(torch.tensor(2.0)))


def test_contrast_pairs_single_image_text_rows_with_a_different_answer():
    """Rows with one image and no soft target are paired with the next such row; a pair whose
    answers are the same text (e.g. the same edit's advice) is dropped: no image explains it better."""
    from aesthetic_mllm.train.losses import contrast_pairs

    img = 9
    input_ids = torch.tensor([
        [img, img, 1, 2, 3],   # 0: one image, answer [3]
        [img, img, img, img, 4],  # 1: two images: out
        [img, img, 1, 2, 6],   # 2: one image, answer [6]
        [img, img, 1, 6, 0],   # 3: one image, answer [6] (the same text as row 2)
        [img, img, 1, 2, 7],   # 4: one image, a soft target: out
    ])
    labels = torch.full_like(input_ids, -100)
    labels[0, 4], labels[1, 4], labels[2, 4], labels[3, 3], labels[4, 4] = 3, 4, 6, 6, 7
    soft = torch.zeros(5, 2)
    soft[4] = torch.tensor([0.5, 0.5])
    rows, own_images, partner_images = contrast_pairs(input_ids, labels, soft, image_token_id=img, per_image=2)
    # eligible rows 0, 2, 3 with image indices 0, 3, 4 (row 1 holds images 1-2); each takes the next
    # one's image: 0 <- row 2's (answers differ), 2 <- row 3's (the same answer: dropped), 3 <- row 0's
    assert rows.tolist() == [0, 3]
    assert own_images.tolist() == [0, 4] and partner_images.tolist() == [3, 0]
    none = contrast_pairs(input_ids[:2], labels[:2], None, image_token_id=img, per_image=2)
    assert all(len(t) == 0 for t in none)
