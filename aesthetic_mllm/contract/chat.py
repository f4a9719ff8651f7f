"""Chat rendering for training and inference: one render, one tokenization, offsets for everything.

The whole conversation is rendered once with the tokenizer's chat template and tokenized once
with offsets. Each assistant answer is located as a character span of that text (using renders
of message-list prefixes, never by tokenizing prompt pieces); exactly the tokens overlapping an
answer span (the answer and the end-of-turn token after it) carry labels, the rest get -100.

Inference prompts are cut from the *training* render of the same conversation: the scoring prompt
is everything before the rating word (:func:`answer_choices`), a generation prompt everything
before the answer (:func:`generation_prompt_ids`), so a model is asked exactly what it was taught.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .prompts import ANSWER_TEMPLATE, Message, scoring_conversation
from .tokens import IMAGE_TOKEN

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase


class AestheticProcessor(Protocol):
    """What rendering needs of a processor (``aesthetic_mllm.model.AestheticProcessor`` is one):
    a fast tokenizer with a chat template, and the expansion of ``<image>`` ids."""

    tokenizer: PreTrainedTokenizerBase
    image_token_id: int
    image_expansion: list[int]

    def expand(self, input_ids: Sequence[int], offsets: Sequence[tuple[int, int]] | None = None): ...

IGNORE_INDEX = -100
ROLES = ("system", "user", "assistant")


class SampleTooLongError(ValueError):
    """The sample cannot be cut to ``max_length`` without breaking an image run or every answer."""


class RatingWordNotFoundError(ValueError):
    """A rating word's token cannot be located in the rendered answer (tokenizer or template mismatch)."""


@dataclass
class Encoded:
    """Token ids (image placeholders expanded), labels (-100 outside answers), the image count and,
    when asked for, the index of the token where a phrase of the last answer starts (``located``)."""

    input_ids: list[int]
    labels: list[int]
    num_images: int
    located: int | None = None
    answer_start: int | None = None


def validate(conversation: Sequence[Message]) -> None:
    """Check roles and that images are only placed in user turns."""
    if not conversation:
        raise ValueError("empty conversation")
    for i, message in enumerate(conversation):
        role = message.get("role")
        if role not in ROLES:
            raise ValueError(f"message {i}: role must be one of {ROLES}, got {role!r}")
        if not isinstance(message.get("content"), str):
            raise ValueError(f"message {i}: content must be a string")
        if role != "user" and IMAGE_TOKEN in message["content"]:
            raise ValueError(f"message {i}: {IMAGE_TOKEN} placeholders belong in user turns, not {role}")


def render(conversation: Sequence[Message], tokenizer: PreTrainedTokenizerBase,
           add_generation_prompt: bool = False) -> str:
    """The conversation as text, through the tokenizer's chat template."""
    return tokenizer.apply_chat_template(list(conversation), tokenize=False,
                                         add_generation_prompt=add_generation_prompt)


def _prefix_end(conversation: Sequence[Message], index: int, text: str, tokenizer: PreTrainedTokenizerBase) -> int:
    """Where message ``index`` may start in ``text``: the longest render of the prefix ``text`` begins with."""
    if index == 0:
        return 0
    best = 0
    for generation_prompt in (True, False):
        try:
            prefix = render(conversation[:index], tokenizer, add_generation_prompt=generation_prompt)
        except Exception:  # some templates refuse partial conversations; fall back to the cursor
            continue
        if text.startswith(prefix):
            best = max(best, len(prefix))
    return best


def _end_of_turn_tokens(tokenizer: PreTrainedTokenizerBase) -> list[str]:
    """Special-token strings that may close an assistant turn, longest first."""
    tokens = set(tokenizer.all_special_tokens)
    tokens |= {t.content for t in tokenizer.added_tokens_decoder.values() if t.special}
    return sorted((t for t in tokens if t), key=len, reverse=True)


def answer_spans(conversation: Sequence[Message], text: str,
                 tokenizer: PreTrainedTokenizerBase) -> list[tuple[int, int]]:
    """Character spans ``[start, end)`` of every assistant answer in ``text``.

    A span runs from the end of the rendered prefix (the generation prompt) when only whitespace
    separates it from the answer, through the answer, to the end-of-turn special token after it.
    """
    closers = _end_of_turn_tokens(tokenizer)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for i, message in enumerate(conversation):
        content = message["content"].strip()
        if not content:
            continue
        if message["role"] != "assistant":
            found = text.find(content, cursor)
            cursor = found + len(content) if found >= 0 else cursor
            continue
        prefix_end = max(cursor, _prefix_end(conversation, i, text, tokenizer))
        start = text.find(content, prefix_end)
        if start < 0:
            raise ValueError(f"assistant message {i} does not appear verbatim in the rendered chat template")
        end = start + len(content)
        if not text[prefix_end:start].strip():  # template glue after the generation prompt is generated too
            start = prefix_end
        after = end + len(text[end:]) - len(text[end:].lstrip(" "))
        closer = next((t for t in closers if text.startswith(t, after)), None)
        if closer is not None:
            end = after + len(closer)
        spans.append((start, end))
        cursor = end
    return spans


def _labels_from_offsets(ids: Sequence[int], offsets: Sequence[tuple[int, int]],
                         spans: Sequence[tuple[int, int]], unlabelled: set[int]) -> list[int]:
    """Label a token with its id when its character range overlaps an answer span."""
    labels = []
    for tid, (s, e) in zip(ids, offsets, strict=True):
        inside = tid not in unlabelled and any(s < hi and max(e, s + 1) > lo for lo, hi in spans)
        labels.append(tid if inside else IGNORE_INDEX)
    return labels


def _truncate(ids: list[int], labels: list[int], max_length: int, image_ids: set[int],
              num_images: int) -> tuple[list[int], list[int]]:
    """Cut to ``max_length`` keeping every image run whole and at least one labelled token."""
    if len(ids) <= max_length:
        return ids, labels
    last_image = max((p for p, t in enumerate(ids) if t in image_ids), default=-1)
    if last_image >= max_length:
        raise SampleTooLongError(
            f"the {num_images} image(s) of this sample need {last_image + 1} tokens, more than "
            f"max_length={max_length}; raise max_length or use fewer images per prompt")
    had_labels = any(label != IGNORE_INDEX for label in labels)
    ids, labels = ids[:max_length], labels[:max_length]
    if had_labels and all(label == IGNORE_INDEX for label in labels):
        raise SampleTooLongError(f"cutting the sample to max_length={max_length} removes every answer token")
    return ids, labels


def render_and_mask(conversation: Sequence[Message], processor: AestheticProcessor,
                    max_length: int | None = None, locate: str | None = None) -> Encoded:
    """Render, tokenize once with offsets, expand images and label only the assistant answers.

    ``locate``: a phrase of the last assistant answer (e.g. its rating word); ``Encoded.located`` is the
    index of the first token overlapping its first character, and must be a labelled token starting a
    word, else :class:`RatingWordNotFoundError`. ``Encoded.answer_start`` is the index of the first
    token of the last answer span. Raises ``SampleTooLongError`` when the sample cannot be cut to
    ``max_length`` sensibly.
    """
    validate(conversation)
    tokenizer = processor.tokenizer
    if not getattr(tokenizer, "is_fast", False):
        raise TypeError("render_and_mask needs a fast tokenizer (it relies on offset mappings)")
    text = render(conversation, tokenizer)
    spans = answer_spans(conversation, text, tokenizer)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = processor.expand(enc["input_ids"], [tuple(o) for o in enc["offset_mapping"]])
    image_ids = set(processor.image_expansion)
    labels = _labels_from_offsets(ids, offsets, spans, image_ids)
    num_images = sum(1 for t in enc["input_ids"] if t == processor.image_token_id)
    answer_start = located = None
    if spans:
        answer_start = next(t for t, (s, e) in enumerate(offsets) if max(e, s + 1) > spans[-1][0])
    if locate is not None:
        located = _locate(conversation, text, spans, offsets, labels, locate)
    if max_length is not None:
        ids, labels = _truncate(ids, labels, max_length, image_ids, num_images)
        if located is not None and located >= len(ids):
            raise SampleTooLongError(f"cutting the sample to max_length={max_length} removes {locate!r}")
    return Encoded(input_ids=ids, labels=labels, num_images=num_images, located=located, answer_start=answer_start)


def _locate(conversation: Sequence[Message], text: str, spans: Sequence[tuple[int, int]],
            offsets: Sequence[tuple[int, int]], labels: Sequence[int], phrase: str) -> int:
    """Token index of ``phrase`` inside the last answer span (see :func:`render_and_mask`)."""
    if not spans:
        raise RatingWordNotFoundError(f"{phrase!r}: the conversation has no answer to find it in")
    lo, hi = spans[-1]
    answer = conversation[-1]["content"].strip()
    where = text.find(answer, lo, hi)
    inner = answer.rfind(phrase) if where >= 0 else -1
    if inner < 0:
        raise RatingWordNotFoundError(f"{phrase!r} does not occur in the rendered answer {answer!r}")
    char = where + inner
    token = next((t for t, (s, e) in enumerate(offsets) if s <= char < max(e, s + 1)), None)
    if token is None or labels[token] == IGNORE_INDEX:
        raise RatingWordNotFoundError(f"{phrase!r}: no trained token starts at its position in the answer")
    start = offsets[token][0]
    if text[start:char].strip():  # the token begins inside the previous word: the word has no token of its own
        raise RatingWordNotFoundError(f"{phrase!r} shares its first token with the text before it "
                                      f"({text[start:char + len(phrase)]!r}); choose another rating word or template")
    return token


def answer_choices(conversations: Sequence[Sequence[Message]], phrases: Sequence[str],
                   processor: AestheticProcessor) -> tuple[list[int], list[int]]:
    """The shared prompt of one conversation answered with each of ``phrases``, and each phrase's token.

    Every conversation (the same prompt, the answer differing only in the phrase) is rendered and
    tokenized as training does; the prompt is every token before the phrase's position, which must be
    the same in all of them, and each phrase's id is the token at that position: found in context.
    Raises :class:`RatingWordNotFoundError` when a position cannot be found or the ids are not distinct.
    """
    encoded = [render_and_mask(c, processor, locate=p) for c, p in zip(conversations, phrases, strict=True)]
    cut = encoded[0].located
    prompt = encoded[0].input_ids[:cut]
    for e, phrase in zip(encoded, phrases, strict=True):
        if e.located != cut or e.input_ids[:cut] != prompt:
            raise RatingWordNotFoundError(f"the prompt before {phrase!r} differs from the one before {phrases[0]!r} "
                                          "in this tokenizer; the rating words cannot be read at one position")
    ids = [e.input_ids[cut] for e in encoded]
    if len(set(ids)) != len(ids):
        raise RatingWordNotFoundError(f"the rating words {list(phrases)} do not start with distinct tokens in "
                                      "context in this tokenizer; choose other rating words")
    return prompt, ids


def rating_word_ids(processor: AestheticProcessor, words: Sequence[str], answer_template: str | None = None) -> list[int]:
    """Each rating word's token id in context: at its position in the rendered scoring answer."""
    template = answer_template or ANSWER_TEMPLATE
    return answer_choices([scoring_conversation(w, answer_template=template) for w in words], words, processor)[1]


def generation_prompt_ids(conversation: Sequence[Message], processor: AestheticProcessor) -> list[int]:
    """Prompt ids for generating the answer to ``conversation`` (which ends with a user turn).

    The conversation is rendered as training renders it, with a stand-in answer, and cut before the
    answer's first token, so any glue the template puts between prompt and answer is what training saw.
    """
    if not conversation or conversation[-1]["role"] != "user":
        raise ValueError("a generation prompt needs a conversation that ends with a user turn")
    encoded = render_and_mask([*conversation, {"role": "assistant", "content": "The"}], processor)
    return encoded.input_ids[: encoded.answer_start]
