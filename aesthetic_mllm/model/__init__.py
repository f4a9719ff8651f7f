"""The model: vision tower, MFA module and causal LM; presets, processor, loading, adaptation."""

from transformers import AutoConfig, AutoModel, AutoModelForImageTextToText, AutoProcessor

from .configuration import LEVELS, AestheticMLLMConfig
from .mfa import MFAOutput, MultiScaleFeatureAlignment
from .modeling import AestheticMLLMForConditionalGeneration, ImageTokenMismatchError
from .processor import AestheticProcessor
from .small_conv import SmallConvConfig, SmallConvModel

AutoConfig.register(SmallConvConfig.model_type, SmallConvConfig, exist_ok=True)
AutoModel.register(SmallConvConfig, SmallConvModel, exist_ok=True)
AutoConfig.register(AestheticMLLMConfig.model_type, AestheticMLLMConfig, exist_ok=True)
AutoModel.register(AestheticMLLMConfig, AestheticMLLMForConditionalGeneration, exist_ok=True)
AutoModelForImageTextToText.register(AestheticMLLMConfig, AestheticMLLMForConditionalGeneration, exist_ok=True)
AutoProcessor.register(AestheticMLLMConfig, AestheticProcessor, exist_ok=True)

__all__ = [
    "LEVELS", "AestheticMLLMConfig", "AestheticMLLMForConditionalGeneration", "AestheticProcessor",
    "ImageTokenMismatchError", "MFAOutput", "MultiScaleFeatureAlignment", "SmallConvConfig", "SmallConvModel",
]
