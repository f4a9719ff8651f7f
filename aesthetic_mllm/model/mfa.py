"""Multi-scale feature alignment (MFA): three Q-Formers and a thematic branch.

Each level (low / middle / high) owns learnable aesthetic queries that read a group of
encoder layers (shallow, middle, deep) through cross-attention; a pooled global feature
gives the thematic token(s). Every group is projected to the LLM width.

Encoders whose hidden states are feature maps (ConvNeXt, ResNet: ``(images, channels, h, w)``,
wider and smaller per stage) are read as tokens (one per position); a group of layers that
differ in shape is projected layer by layer and read as one token set.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .configuration import LEVELS, AestheticMLLMConfig, encoder_widths


class _Attention(nn.Module):
    """Multi-head attention on SDPA (queries attend to ``context``)."""

    def __init__(self, dim: int, heads: int, dropout: float):
        super().__init__()
        if dim % heads:
            raise ValueError(f"mfa_hidden_size {dim} is not divisible by mfa_num_heads {heads}")
        self.heads, self.dropout = heads, dropout
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        split = lambda t: t.view(b, -1, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731
        out = F.scaled_dot_product_attention(
            split(self.q(x)), split(self.k(context)), split(self.v(context)),
            dropout_p=self.dropout if self.training else 0.0,
        )
        return self.o(out.transpose(1, 2).reshape(b, n, d))


class QFormerLayer(nn.Module):
    """Pre-norm block: self-attention over queries, cross-attention to features, MLP."""

    def __init__(self, dim: int, heads: int, dropout: float):
        super().__init__()
        self.norm_self, self.norm_cross, self.norm_ctx, self.norm_mlp = (nn.LayerNorm(dim) for _ in range(4))
        self.self_attn = _Attention(dim, heads, dropout)
        self.cross_attn = _Attention(dim, heads, dropout)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, queries: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        h = self.norm_self(queries)
        queries = queries + self.self_attn(h, h)
        queries = queries + self.cross_attn(self.norm_cross(queries), self.norm_ctx(features))
        return queries + self.mlp(self.norm_mlp(queries))


def as_tokens(hidden: torch.Tensor) -> torch.Tensor:
    """(images, tokens, width) from a ViT state, or from a feature map (images, width, h, w)."""
    return hidden.flatten(2).transpose(1, 2) if hidden.dim() == 4 else hidden


def _input_proj(width: int, dim: int) -> nn.Module:
    return nn.Sequential(nn.LayerNorm(width), nn.Linear(width, dim))


class QFormer(nn.Module):
    """Learnable queries + stacked :class:`QFormerLayer` reading a weighted mix of encoder layers.

    Layers of one width (``widths``, one per layer read) are mixed by softmax weights and then
    projected; layers of different widths or sizes are each projected, weighted and read
    side by side (their tokens concatenated).
    """

    def __init__(self, num_queries: int, widths: list[int], dim: int, depth: int, heads: int, dropout: float):
        super().__init__()
        self.queries = nn.Parameter(torch.randn(1, num_queries, dim) * 0.02)
        self.layer_weights = nn.Parameter(torch.zeros(len(widths)))
        if len(set(widths)) == 1:
            self.input_proj = _input_proj(widths[0], dim)
        else:
            self.layer_proj = nn.ModuleList(_input_proj(w, dim) for w in widths)
        self.layers = nn.ModuleList(QFormerLayer(dim, heads, dropout) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)

    def _features(self, hidden_states: list[torch.Tensor]) -> torch.Tensor:
        weights = self.layer_weights.softmax(0)
        states = [as_tokens(h) for h in hidden_states]
        if hasattr(self, "layer_proj"):
            return torch.cat([w * proj(h) for w, proj, h in zip(weights, self.layer_proj, states, strict=True)], 1)
        if len({h.shape for h in states}) > 1:
            raise ValueError(f"layers of one width must share a shape to be mixed, got {[tuple(h.shape) for h in states]}")
        return self.input_proj(sum(w * h for w, h in zip(weights, states, strict=True)))

    def forward(self, hidden_states: list[torch.Tensor]) -> torch.Tensor:
        features = self._features(hidden_states)
        queries = self.queries.expand(features.shape[0], -1, -1)
        for layer in self.layers:
            queries = layer(queries, features)
        return self.norm(queries)


def _projector(dim: int, out_dim: int) -> nn.Module:
    return nn.Sequential(nn.Linear(dim, out_dim), nn.GELU(), nn.Linear(out_dim, out_dim))


@dataclass
class MFAOutput:
    """Per-level query states (MFA width) and the LLM-width tokens in prompt order."""

    queries: dict[str, torch.Tensor]
    tokens: dict[str, torch.Tensor]

    def flat(self) -> torch.Tensor:
        """(images, tokens, llm_hidden) in the order low, middle, high, thematic."""
        return torch.cat([self.tokens[k] for k in (*LEVELS, "thematic")], dim=1)

    def select(self, images: torch.Tensor) -> MFAOutput:
        """The states of the ``images`` (indices, repeats allowed), in that order."""
        return MFAOutput({k: v[images] for k, v in self.queries.items()}, {k: v[images] for k, v in self.tokens.items()})


class MultiScaleFeatureAlignment(nn.Module):
    """The MFA module: Q-Formers per level plus the thematic branch, projected to the LLM width."""

    def __init__(self, config: AestheticMLLMConfig):
        super().__init__()
        widths = encoder_widths(config.vision_config)
        llm_dim = config.text_config.hidden_size
        dim = config.mfa_hidden_size
        self.layer_groups = [list(g) for g in config.layer_groups]
        self.num_thematic_tokens = config.num_thematic_tokens
        self.qformers = nn.ModuleDict({
            level: QFormer(n, [widths[i] for i in group], dim, config.mfa_num_layers, config.mfa_num_heads,
                           config.mfa_dropout)
            for level, n, group in zip(LEVELS, config.num_queries, self.layer_groups, strict=True)
        })
        self.projectors = nn.ModuleDict({level: _projector(dim, llm_dim) for level in LEVELS})
        self.thematic = nn.Sequential(
            nn.LayerNorm(widths[-1]), nn.Linear(widths[-1], dim), nn.GELU(),
            nn.Linear(dim, config.num_thematic_tokens * llm_dim),
        )
        self.thematic_queries = nn.Linear(dim, dim)  # thematic state at MFA width, for stage-1 losses
        self.llm_dim = llm_dim

    def forward(self, hidden_states: tuple[torch.Tensor, ...]) -> MFAOutput:
        """``hidden_states``: the encoder's per-layer states (index 0 = embeddings)."""
        queries, tokens = {}, {}
        for level, group in zip(LEVELS, self.layer_groups, strict=True):
            queries[level] = self.qformers[level]([hidden_states[i] for i in group])
            tokens[level] = self.projectors[level](queries[level])
        pooled = as_tokens(hidden_states[-1]).mean(dim=1)
        theme = self.thematic[:3](pooled)
        queries["thematic"] = self.thematic_queries(theme).unsqueeze(1)
        tokens["thematic"] = self.thematic[3](theme).view(-1, self.num_thematic_tokens, self.llm_dim)
        return MFAOutput(queries=queries, tokens=tokens)
