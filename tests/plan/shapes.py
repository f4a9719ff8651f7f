"""Config-only directories at the real shapes of the models the recipes name (no weights)."""

from __future__ import annotations

from pathlib import Path

from transformers import CLIPConfig, LlamaConfig, Qwen2Config, SiglipConfig

CLIP_L336 = CLIPConfig(
    text_config=dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                     max_position_embeddings=77, vocab_size=49408),
    vision_config=dict(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16,
                       image_size=336, patch_size=14, hidden_act="quick_gelu"),
    projection_dim=768)
SIGLIP_SO400M = SiglipConfig(
    text_config=dict(hidden_size=1152, intermediate_size=4304, num_hidden_layers=27, num_attention_heads=16,
                     vocab_size=32000, max_position_embeddings=64),
    vision_config=dict(hidden_size=1152, intermediate_size=4304, num_hidden_layers=27, num_attention_heads=16,
                       image_size=384, patch_size=14))
LLAMA2_7B = LlamaConfig(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32,
                        num_key_value_heads=32, vocab_size=32000, max_position_embeddings=4096, rms_norm_eps=1e-5,
                        tie_word_embeddings=False)
QWEN2_7B = Qwen2Config(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
                       num_key_value_heads=4, vocab_size=152064, max_position_embeddings=32768, rms_norm_eps=1e-6,
                       tie_word_embeddings=False)
MODELS = {"clip-vit-large-patch14-336": CLIP_L336, "siglip-so400m-patch14-384": SIGLIP_SO400M,
          "llama-2-7b": LLAMA2_7B, "qwen2-7b": QWEN2_7B}
# parameter counts of the published checkpoints (vision half only for the encoders)
PUBLISHED = {"clip-vit-large-patch14-336": 303.5e6, "siglip-so400m-patch14-384": 428.2e6, "llama-2-7b": 6.738e9,
             "qwen2-7b": 7.616e9}


def write_configs(root: Path) -> dict[str, Path]:
    """One directory per model, each holding only config.json."""
    out = {}
    for name, config in MODELS.items():
        config.save_pretrained(root / name)
        out[name] = root / name
    return out
