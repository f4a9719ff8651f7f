"""Textual cues: pseudo-labels and edits turned into critique text.

Templates (the default, no dependencies) pick among several phrasings with a seeded rng, so
the same attributes give varied wording. A generator may instead rewrite the template draft
with a local Hugging Face causal LM or any OpenAI-compatible endpoint; ``CachedCues`` keeps
every output on disk, keyed by image hash + prompt, so a second request costs nothing.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..files import atomic_write_text
from ..llm import ChatEndpoint, hf_generate_chat
from .perturb import EditResult, as_rng
from .pseudo_labels import LEVEL_ATTRIBUTES

RngLike = np.random.Generator | int | None

# Per attribute: (upper bound, phrasings) bands, checked in order; the last band has bound 1.0.
_BANDS: dict[str, list[tuple[float, list[str]]]] = {
    "brightness": [(0.2, ["strongly underexposed", "very dark with crushed shadows", "far too dark"]),
                   (0.33, ["somewhat underexposed", "a little dark", "slightly dim"]),
                   (0.62, ["well exposed", "balanced in exposure", "correctly exposed"]),
                   (0.75, ["bright", "slightly overexposed", "a touch too bright"]),
                   (1.0, ["strongly overexposed", "washed out by overexposure", "far too bright"])],
    "contrast": [(0.2, ["very flat with little contrast", "dull and flat", "lacking contrast"]),
                 (0.35, ["soft in contrast", "gentle in contrast", "low in contrast"]),
                 (0.6, ["well balanced in contrast", "moderate in contrast", "natural in contrast"]),
                 (0.8, ["punchy with strong contrast", "high in contrast", "contrasty"]),
                 (1.0, ["harsh with extreme contrast", "extremely contrasty", "brutally contrasty"])],
    "saturation": [(0.05, ["black and white", "monochrome", "without colour"]),
                   (0.2, ["muted in colour", "desaturated", "pale in colour"]),
                   (0.5, ["naturally saturated", "moderately saturated", "true to life in colour"]),
                   (0.7, ["richly saturated", "vivid", "saturated and bold"]),
                   (1.0, ["oversaturated", "garishly saturated", "saturated to excess"])],
    "colorfulness": [(0.1, ["nearly colourless", "almost without colour variety"]),
                     (0.35, ["restrained in palette", "limited in palette", "sober in its colours"]),
                     (0.6, ["moderately colourful", "varied in palette", "pleasantly colourful"]),
                     (1.0, ["very colourful", "bursting with colour", "rich in colours"])],
    "sharpness": [(0.35, ["blurry", "out of focus", "soft and unsharp"]),
                  (0.55, ["slightly soft", "a little soft", "not quite sharp"]),
                  (0.8, ["reasonably sharp", "acceptably sharp", "sharp enough"]),
                  (1.0, ["crisp and sharp", "tack sharp", "finely detailed"])],
    "noise": [(0.15, ["clean without visible noise", "noise-free", "clean in the flat areas"]),
              (0.4, ["slightly grainy", "a little noisy", "lightly grainy"]),
              (0.7, ["noticeably noisy", "grainy", "marred by noise"]),
              (1.0, ["very noisy", "heavily grainy", "swamped by noise"])],
    "clipping": [(0.1, ["free of clipping", "intact in highlights and shadows"]),
                 (0.4, ["slightly clipped in places", "clipped in a few small areas"]),
                 (0.75, ["clipped in the highlights or shadows", "losing detail to clipping"]),
                 (1.0, ["heavily clipped", "full of blown or blocked areas"])],
    "color_cast": [(0.3, ["neutral in white balance", "free of colour casts", "neutral in tone"]),
                   (0.55, ["slightly tinted", "a little off in white balance"]),
                   (0.75, ["visibly tinted by a colour cast", "off in white balance"]),
                   (1.0, ["strongly tinted by a colour cast", "dominated by a colour cast"])],
    "thirds": [(0.42, ["subject away from the thirds", "ignoring the rule of thirds"]),
               (0.55, ["loosely following the rule of thirds", "subject near a third line"]),
               (1.0, ["subject placed on a third line", "following the rule of thirds",
                      "subject on a thirds intersection"])],
    "balance": [(0.3, ["unbalanced with the weight pushed to one side", "lopsided in composition"]),
                (0.65, ["somewhat off-centre", "slightly unbalanced"]),
                (1.0, ["well balanced", "subject centred", "evenly weighted in the frame"])],
    "symmetry": [(0.2, ["asymmetric", "free of symmetry"]),
                 (0.45, ["loosely symmetric", "partly symmetric"]),
                 (1.0, ["strongly symmetric", "mirror-like in symmetry"])],
    "depth_of_field": [(0.42, ["sharper at the edges than in the centre", "soft in the centre"]),
                       (0.58, ["evenly sharp across the frame", "deep in focus"]),
                       (1.0, ["shallow in depth of field with an isolated centre",
                              "centre standing out against a softer background"])],
    "simplicity": [(0.25, ["busy and cluttered", "crowded with detail"]),
                   (0.6, ["moderately complex", "reasonably tidy"]),
                   (1.0, ["simple and uncluttered", "minimal", "clean in composition"])],
    "horizon_tilt": [(0.2, ["level", "straight in its lines", "upright"]),
                     (0.5, ["slightly tilted", "a little crooked"]),
                     (1.0, ["clearly tilted", "crooked with a slanted horizon"])],
}

_FRAMES = ["{A}, {rest}.", "{A}; {rest}.", "Notes: {a}, {rest}.", "{Level}: {a}, {rest}.",
           "In short: {a}, {rest}.", "At a glance, {a}, {rest}."]

_EFFECTS: dict[tuple[str, str], list[str]] = {  # adjectives that take a degree adverb
    ("exposure", "under"): ["underexposed", "darkened"], ("exposure", "over"): ["overexposed", "brightened"],
    ("contrast", "lower"): ["flattened", "washed out"], ("contrast", "higher"): ["harsh", "over-contrasted"],
    ("saturation", "lower"): ["desaturated", "drained of colour"],
    ("saturation", "higher"): ["oversaturated", "garish"],
    ("color_cast", "warm"): ["tinted orange", "warm-tinted"], ("color_cast", "cool"): ["tinted blue", "cool-tinted"],
    ("color_cast", "green"): ["tinted green", "green-tinted"],
    ("color_cast", "magenta"): ["tinted magenta", "tinted pink"],
    ("blur", ""): ["blurred", "out of focus"], ("noise", ""): ["noisy", "grainy"],
    ("jpeg", ""): ["compressed", "blocky from compression"],
    ("crop", "*"): ["off-balance after cropping", "cramped against the {d} edge"],
    ("tilt", "*"): ["tilted", "crooked"],
}
_ADVERBS = {1: ["slightly", "a little", "mildly"], 2: ["noticeably", "clearly", "visibly"],
            3: ["strongly", "severely", "heavily"]}
_EDIT_FRAMES = ["The photo is {adv} {effect} ({detail}).", "{Adv} {effect}: {detail}.",
                "Looks {adv} {effect}; {detail}.", "What changed: {detail}, leaving it {adv} {effect}."]
_FIX_FRAMES = ["{Advice}.", "To improve it, {advice}.", "Suggestion: {advice}.", "It would help to {advice}."]


def _pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def phrase_for(name: str, value: float, rng: RngLike = None) -> str:
    """One phrasing of attribute ``name`` at ``value`` (its band chosen by value, wording by rng)."""
    bands = _BANDS[name]
    options = next((opts for bound, opts in bands if value < bound), bands[-1][1])
    return _pick(as_rng(rng), options)


def describe_attributes(attrs: Mapping[str, float], level: str, rng: RngLike = None,
                        max_items: int | None = None) -> str:
    """A critique note of ``level``'s attributes ("Strongly underexposed, low in contrast, ...")."""
    if level not in LEVEL_ATTRIBUTES:
        raise ValueError(f"level must be one of {list(LEVEL_ATTRIBUTES)}, got {level!r}")
    gen = as_rng(rng)
    names = [n for n in LEVEL_ATTRIBUTES[level] if n in attrs]
    if not names:
        raise ValueError(f"no {level}-level attributes given (expected some of {LEVEL_ATTRIBUTES[level]})")
    names = [names[i] for i in gen.permutation(len(names))][: max_items or None]
    phrases = [phrase_for(n, float(attrs[n]), gen) for n in names]
    first, rest = phrases[0], phrases[1:]
    tail = ", ".join(rest[:-1]) + (" and " if len(rest) > 1 else "") + (rest[-1] if rest else "")
    frame = _pick(gen, _FRAMES) if rest else "{A}."
    return frame.format(A=_cap(first), a=first, rest=tail, Level=f"{_cap(level)}-level")


def _effect(result: EditResult, gen: np.random.Generator) -> str:
    key = (result.name, result.direction)
    options = _EFFECTS.get(key) or _EFFECTS[(result.name, "*")]
    return _pick(gen, options).format(d=result.direction)


def describe_edit(result: EditResult, rng: RngLike = None) -> str:
    """A varied sentence saying what an edit did ("The photo is strongly underexposed (...)")."""
    gen = as_rng(rng)
    adv, effect = _pick(gen, _ADVERBS[result.severity]), _effect(result, gen)
    return _pick(gen, _EDIT_FRAMES).format(adv=adv, Adv=_cap(adv), effect=effect, detail=result.description)


def describe_fix(result: EditResult, rng: RngLike = None) -> str:
    """A varied sentence giving the edit's inverse fix ("To improve it, raise the exposure ...")."""
    return _pick(as_rng(rng), _FIX_FRAMES).format(advice=result.advice, Advice=_cap(result.advice))


def _stable_seed(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("\0".join(map(str, parts)).encode()).digest()[:8], "little")


@runtime_checkable
class CueGenerator(Protocol):
    """Turns a template draft into a cue: ``complete(prompt(draft))``."""

    name: str

    def prompt(self, draft: str) -> str: ...

    def complete(self, prompt: str) -> str: ...


class CueWriter(ABC):
    """Shared entry points of every generator: rewrite a draft, or write a cue from attributes."""

    name = "base"

    def prompt(self, draft: str) -> str:
        return draft

    @abstractmethod
    def complete(self, prompt: str) -> str:
        """The generator's answer to ``prompt``."""

    def rewrite(self, draft: str, image_id: str = "") -> str:
        """The generator's version of ``draft`` (the draft itself when the output is empty)."""
        return self.complete(self.prompt(draft)).strip() or draft

    def cue(self, attrs: Mapping[str, float], level: str, image_id: str = "", seed: int = 0) -> str:
        """A cue for ``level``'s attributes; wording seeded by ``image_id`` and ``seed``."""
        draft = describe_attributes(attrs, level, _stable_seed(image_id, level, seed))
        return self.rewrite(draft, image_id)


class TemplateCues(CueWriter):
    """The default: the seeded template text as is (no model, no dependencies)."""

    name = "template"

    def complete(self, prompt: str) -> str:
        return prompt


REWRITE_INSTRUCTION = ("Rewrite these photo-critique notes as one or two fluent sentences. Keep every "
                       "judgement and its direction; add nothing new. Notes: ")


class HFCausalLMCues(CueWriter):
    """Rewrites drafts with a local transformers causal LM (loaded lazily from ``model_dir``)."""

    def __init__(self, model_dir: str | Path, max_new_tokens: int = 64, device: str = "cpu",
                 instruction: str = REWRITE_INSTRUCTION):
        self.model_dir, self.max_new_tokens, self.device = Path(model_dir), max_new_tokens, device
        self.instruction = instruction
        self.name = f"hf:{self.model_dir.resolve()}"
        self._model: Any = None
        self._tokenizer: Any = None

    def prompt(self, draft: str) -> str:
        return self.instruction + draft

    def _load(self) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        self._model = AutoModelForCausalLM.from_pretrained(self.model_dir).to(self.device).eval()

    def complete(self, prompt: str) -> str:
        if self._model is None:
            self._load()
        return hf_generate_chat(self._model, self._tokenizer, [{"role": "user", "content": prompt}],
                                max_new_tokens=self.max_new_tokens, device=self.device)


class OpenAICompatibleCues(CueWriter):
    """Rewrites drafts through an OpenAI-compatible ``{base_url}/v1/chat/completions`` (the ``openai`` client)."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0,
                 temperature: float = 0.7, max_tokens: int = 96, instruction: str = REWRITE_INSTRUCTION):
        self.endpoint = ChatEndpoint(base_url, model, api_key=api_key, timeout=timeout)
        self.url, self.model = self.endpoint.url, model
        self.temperature, self.max_tokens, self.instruction = temperature, max_tokens, instruction
        self.name = f"openai:{self.url}:{model}"

    def prompt(self, draft: str) -> str:
        return self.instruction + draft

    def complete(self, prompt: str) -> str:
        return self.endpoint.complete([{"role": "user", "content": prompt}], temperature=self.temperature,
                                      max_tokens=self.max_tokens)


class CachedCues(CueWriter):
    """Wraps a generator; outputs are cached as JSON files keyed by image hash + prompt."""

    def __init__(self, generator: CueGenerator, cache_dir: str | Path):
        self.generator, self.cache_dir = generator, Path(cache_dir)
        self.name = f"cached:{generator.name}"
        self.hits = 0
        self.misses = 0

    def prompt(self, draft: str) -> str:
        return self.generator.prompt(draft)

    def complete(self, prompt: str) -> str:
        return self.generator.complete(prompt)

    def rewrite(self, draft: str, image_id: str = "") -> str:
        prompt = self.prompt(draft)
        key = hashlib.sha256("\0".join([self.generator.name, image_id, prompt]).encode()).hexdigest()
        path = self.cache_dir / key[:2] / f"{key}.json"
        if path.is_file():
            try:
                output = json.loads(path.read_text(encoding="utf-8"))["output"]
                self.hits += 1
                return output
            except (OSError, ValueError, KeyError):
                pass  # a damaged entry is regenerated
        self.misses += 1
        output = self.complete(prompt).strip() or draft
        record = {"generator": self.generator.name, "image_id": image_id, "prompt": prompt, "output": output}
        atomic_write_text(path, json.dumps(record, ensure_ascii=False))
        return output
