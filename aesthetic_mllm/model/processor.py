"""``AestheticProcessor``: tokenizer + image processor + expansion of ``<image>`` placeholders."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from PIL import Image
from transformers import AutoImageProcessor, AutoTokenizer, BatchFeature, ProcessorMixin
from transformers.image_processing_base import ImageProcessingMixin
from transformers.tokenization_utils_base import PreTrainedTokenizerBase
from transformers.utils import PROCESSOR_NAME

from ..padding import pad_rows
from .special_tokens import IMAGE_TOKEN, LEVEL_TOKENS, add_special_tokens, special_token_ids

LEGACY_PROCESSOR_FILE = "aesthetic_processor.json"  # what earlier versions wrote; still loaded
RESIZE_POLICIES = ("squash", "pad", "crop")


def _field(size, key: str):
    if size is None:
        return None
    return size.get(key) if isinstance(size, dict) else getattr(size, key, None)


def native_image_size(image_processor) -> tuple[int, int]:
    """(height, width) the image processor hands to the model (its crop size when it crops)."""
    crop = getattr(image_processor, "crop_size", None)
    if getattr(image_processor, "do_center_crop", False) and _field(crop, "height"):
        return int(_field(crop, "height")), int(_field(crop, "width"))
    size = getattr(image_processor, "size", None)
    if _field(size, "height") and _field(size, "width"):
        return int(_field(size, "height")), int(_field(size, "width"))
    if _field(size, "shortest_edge"):
        edge = int(_field(size, "shortest_edge"))
        return edge, edge
    raise ValueError(f"cannot tell the input size of {type(image_processor).__name__} (size={size}); "
                     "give image_size to AestheticProcessor")


def crops(image_processor) -> bool:
    """Whether the image processor itself centre-crops (CLIP: resize shortest edge, then crop)."""
    return bool(getattr(image_processor, "do_center_crop", False))


def fit_image(image: Image.Image, size: tuple[int, int], policy: str, fill: tuple[int, int, int],
              resample: int = Image.Resampling.BICUBIC) -> Image.Image:
    """Resize ``image`` to exactly ``size`` (height, width) under ``policy``.

    ``squash``: stretch to the size (every pixel kept, aspect changed); ``pad``: scale the long
    side to fit and letterbox with ``fill`` (aspect and every pixel kept); ``crop``: scale the
    short side to fit and cut the centre (aspect kept, the edges lost; what CLIP's own
    processor does).
    """
    height, width = size
    if policy == "squash":
        return image.resize((width, height), resample)
    scale = (min if policy == "pad" else max)(width / image.width, height / image.height)
    new_w, new_h = max(1, round(image.width * scale)), max(1, round(image.height * scale))
    scaled = image.resize((new_w, new_h), resample)
    if policy == "pad":
        canvas = Image.new("RGB", (width, height), fill)
        canvas.paste(scaled, ((width - new_w) // 2, (height - new_h) // 2))
        return canvas
    if policy == "crop":
        left, top = (new_w - width) // 2, (new_h - height) // 2
        return scaled.crop((left, top, left + width, top + height))
    raise ValueError(f"resize policy must be one of {RESIZE_POLICIES}, got {policy!r}")


class AestheticProcessor(ProcessorMixin):
    """Turns (text with ``<image>`` placeholders, images) into model inputs.

    A ``transformers`` processor (``ProcessorMixin``, as LLaVA's): ``save_pretrained`` writes the
    tokenizer files and ``processor_config.json`` (the image processor and this processor's own
    settings), ``from_pretrained`` / ``AutoProcessor.from_pretrained`` read them back, and
    directories saved with the earlier ``aesthetic_processor.json`` still load.

    Each ``<image>`` id is expanded at the id level (robust to any tokenizer) into
    ``<low> q*n_low <middle> q*n_mid <high> q*n_high <thematic> q*n_theme`` where ``q`` is the
    image id the model fills with MFA features.

    Images are brought to the model's input size by an explicit ``resize`` policy (``squash``,
    ``pad`` or ``crop``; see :func:`fit_image`) applied here, whatever the wrapped image
    processor would do by itself (CLIP's centre-crops): the image processor only rescales and
    normalises. The policy and size are saved with the processor.

    The chat template is the tokenizer's (one template, saved once as ``chat_template.jinja``).
    """

    attributes = ["image_processor", "tokenizer"]

    def __init__(self, image_processor: ImageProcessingMixin, tokenizer: PreTrainedTokenizerBase,
                 num_queries: Sequence[int], num_thematic_tokens: int, resize: str = "squash",
                 image_size: int | Sequence[int] | None = None, chat_template: str | dict[str, str] | None = None):
        if resize not in RESIZE_POLICIES:
            raise ValueError(f"resize policy must be one of {RESIZE_POLICIES}, got {resize!r}")
        super().__init__(image_processor, tokenizer)  # checks each part's class (a swapped pair fails here)
        if chat_template is not None:
            tokenizer.chat_template = chat_template
        add_special_tokens(tokenizer)
        self.resize = resize
        if image_size is None:
            image_size = native_image_size(image_processor)
        self.image_size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
        self.num_queries = list(num_queries)
        self.num_thematic_tokens = num_thematic_tokens
        ids = special_token_ids(tokenizer)
        self.image_token_id = ids[IMAGE_TOKEN]
        counts = [*self.num_queries, num_thematic_tokens]
        self.image_expansion = [
            tid for level, n in zip(LEVEL_TOKENS, counts, strict=True) for tid in (ids[level], *[self.image_token_id] * n)
        ]

    @property
    def chat_template(self) -> str | dict[str, str] | None:
        """The tokenizer's chat template (the processor keeps no copy of its own)."""
        tokenizer = self.__dict__.get("tokenizer")
        return None if tokenizer is None else tokenizer.chat_template

    @chat_template.setter
    def chat_template(self, value: str | dict[str, str] | None) -> None:
        if value is not None:
            self.tokenizer.chat_template = value

    @property
    def level_token_ids(self) -> list[int]:
        return [self.tokenizer.convert_tokens_to_ids(t) for t in LEVEL_TOKENS]

    def expand(self, input_ids: Sequence[int], offsets: Sequence[tuple[int, int]] | None = None):
        """Expand every ``<image>`` id; offsets (if given) are repeated for the inserted ids."""
        out_ids, out_offsets = [], []
        for i, tid in enumerate(input_ids):
            if tid == self.image_token_id:
                out_ids.extend(self.image_expansion)
                if offsets is not None:
                    out_offsets.extend([offsets[i]] * len(self.image_expansion))
            else:
                out_ids.append(tid)
                if offsets is not None:
                    out_offsets.append(offsets[i])
        return (out_ids, out_offsets) if offsets is not None else out_ids

    def count_placeholders(self, text: str) -> int:
        return text.count(IMAGE_TOKEN)

    @property
    def fill_colour(self) -> tuple[int, int, int]:
        """The letterbox colour for ``pad``: the image processor's mean (0 after normalisation)."""
        mean = getattr(self.image_processor, "image_mean", None) or [0.5, 0.5, 0.5]
        return tuple(int(round(255 * m)) for m in mean[:3])

    def fit(self, image: Image.Image) -> Image.Image:
        """One RGB image at the model's input size under this processor's resize policy."""
        resample = getattr(self.image_processor, "resample", None)
        resample = Image.Resampling.BICUBIC if resample is None else Image.Resampling(int(resample))
        return fit_image(image.convert("RGB"), self.image_size, self.resize, self.fill_colour, resample)

    def preprocess_images(self, images: Sequence[Image.Image]) -> torch.Tensor:
        """Pixels for a flat list of PIL images: fitted by the resize policy, then normalised."""
        fitted = [self.fit(im) for im in images]
        return self.image_processor(images=fitted, do_resize=False, do_center_crop=False,
                                    return_tensors="pt")["pixel_values"]

    def __call__(self, text: str | Sequence[str], images: Sequence | None = None,
                 padding_side: str = "right") -> BatchFeature:
        """Tokenize, expand placeholders and pad; ``images`` is flat, in prompt order over the batch."""
        texts = [text] if isinstance(text, str) else list(text)
        flat = list(images or [])
        wanted = sum(self.count_placeholders(t) for t in texts)
        if wanted != len(flat):
            raise ValueError(f"the text holds {wanted} {IMAGE_TOKEN} placeholder(s) but {len(flat)} image(s) were given")
        encoded = [self.expand(self.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]
        batch = self.pad(encoded, padding_side=padding_side)
        if flat:
            batch["pixel_values"] = self.preprocess_images(flat)
        return BatchFeature(batch)

    def pad(self, sequences: Sequence[Sequence[int]], padding_side: str = "right") -> dict[str, torch.Tensor]:
        """Pad id lists into ``input_ids`` and ``attention_mask``."""
        ids, mask = pad_rows(sequences, self.tokenizer.pad_token_id, side=padding_side)
        return {"input_ids": ids, "attention_mask": mask}

    def apply_chat_template(self, messages: list[dict], add_generation_prompt: bool = False) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path: str | Path, **kwargs: Any) -> AestheticProcessor:
        """Load a saved processor: ``processor_config.json`` (or the earlier ``aesthetic_processor.json``)."""
        directory = Path(pretrained_model_name_or_path)
        if directory.is_dir() and not (directory / PROCESSOR_NAME).is_file():
            if (directory / LEGACY_PROCESSOR_FILE).is_file():
                return cls._from_legacy_dir(directory)
            raise FileNotFoundError(f"{directory}: no {PROCESSOR_NAME} or {LEGACY_PROCESSOR_FILE}; "
                                    "is it a model saved by aesthetic-mllm?")
        return super().from_pretrained(pretrained_model_name_or_path, **kwargs)

    @classmethod
    def _from_legacy_dir(cls, directory: Path) -> AestheticProcessor:
        """A directory saved before the processor was a ``ProcessorMixin`` (tokenizer, image processor, json)."""
        meta = json.loads((directory / LEGACY_PROCESSOR_FILE).read_text())
        tokenizer = AutoTokenizer.from_pretrained(directory)
        image_processor = AutoImageProcessor.from_pretrained(directory)
        # saved before the policy was explicit: keep what the model was trained with
        resize = meta.get("resize") or ("crop" if crops(image_processor) else "squash")
        return cls(image_processor, tokenizer, meta["num_queries"], meta["num_thematic_tokens"], resize=resize,
                   image_size=meta.get("image_size"))


def has_saved_processor(directory: str | Path) -> bool:
    """Whether ``directory`` holds a saved processor (either file format)."""
    directory = Path(directory)
    return (directory / PROCESSOR_NAME).is_file() or (directory / LEGACY_PROCESSOR_FILE).is_file()
