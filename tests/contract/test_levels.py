"""The expected rating level: one function for numpy scores and differentiable torch fitting."""

from __future__ import annotations

import numpy as np
import torch

from aesthetic_mllm.contract.levels import expected_level


def test_expected_level_is_the_same_for_numpy_and_torch_and_differentiable():
    probs = np.array([[1.0, 0, 0, 0, 0], [0, 0, 0, 0, 1.0], [0.1, 0.2, 0.4, 0.2, 0.1]])
    assert np.allclose(expected_level(probs), [5.0, 1.0, 3.0])
    logits = torch.tensor(np.log(probs + 1e-9), dtype=torch.float32, requires_grad=True)
    levels = expected_level(torch.softmax(logits, -1))
    assert levels.dtype == torch.float32 and torch.allclose(levels, torch.tensor([5.0, 1.0, 3.0]), atol=1e-4)
    levels.sum().backward()
    assert logits.grad is not None and logits.grad.abs().sum() > 0
