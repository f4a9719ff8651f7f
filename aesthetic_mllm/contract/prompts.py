"""The conversations of every task: questions, the scoring answer, the PIAA layout.

Training (the task builders) and inference (every scorer) build their conversations here, so
the text a model is trained on is the text it is asked at inference, word for word.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .levels import RATING_WORDS, level_to_word, score_to_level
from .tokens import IMAGE_TOKEN

Message = dict[str, str]
Conversation = list[Message]

ANSWER_TEMPLATE = "The aesthetic quality of this photo is {word}."
SCORE_QUESTIONS: tuple[str, ...] = (
    "How would you rate the aesthetic quality of this photo?",
    "Rate the aesthetics of this image.",
    "What do you think about the aesthetic quality of this photograph?",
    "Can you evaluate the aesthetic quality of this picture?",
    "How aesthetically pleasing is this photo?",
    "Judge the aesthetic quality of this image.",
)
COMMENT_QUESTIONS: tuple[str, ...] = (
    "Give a critique of this photo.",
    "What do you think of this photograph? Comment on its aesthetics.",
    "Describe the strengths and weaknesses of this image.",
    "Write an aesthetic comment about this picture.",
    "How would a photographer comment on this photo?",
)
SUGGEST_QUESTIONS: tuple[str, ...] = (
    "How could this photo be improved?",
    "What would you change to make this photograph better?",
    "Suggest how to improve the aesthetics of this image.",
    "Give advice to improve this picture.",
    "What should the photographer fix in this photo?",
)
SCORE_QUESTION = SCORE_QUESTIONS[0]

PIAA_INTRO = "These photos were rated by one person on a scale from {lo} to {hi}."
PIAA_SHOT = "Image {i}: " + IMAGE_TOKEN + " rated {score}"
PIAA_QUERY = "Now rate this photo as this person would: " + IMAGE_TOKEN


def single_turn(question: str, answer: str | None, num_images: int = 1, system: str | None = None) -> Conversation:
    """A user question preceded by ``num_images`` placeholders, and its answer (``None``: no answer turn)."""
    images = "".join(f"{IMAGE_TOKEN}\n" for _ in range(num_images))
    conversation: Conversation = [{"role": "system", "content": system}] if system else []
    conversation.append({"role": "user", "content": images + question})
    if answer is not None:
        conversation.append({"role": "assistant", "content": answer})
    return conversation


def score_answer(word: str, answer_template: str = ANSWER_TEMPLATE) -> str:
    """The scoring answer for a rating word."""
    if "{word}" not in answer_template:
        raise ValueError(f"an answer template needs a {{word}} field, got {answer_template!r}")
    return answer_template.format(word=word)


def scoring_conversation(word: str | None, question: str = SCORE_QUESTION, answer_template: str = ANSWER_TEMPLATE,
                         system: str | None = None) -> Conversation:
    """One image, the scoring question and (when ``word`` is given) the rating-word answer."""
    return single_turn(question, None if word is None else score_answer(word, answer_template), system=system)


def format_score(score: float, score_range: Sequence[float]) -> str:
    """A score with as many decimals as its range needs (0-1: 2, 1-5 or 1-10: 1, 0-100: 0)."""
    span = float(score_range[1]) - float(score_range[0])
    decimals = max(0, 2 - math.ceil(math.log10(span))) if span > 0 else 2
    return f"{float(score):.{decimals}f}"


def piaa_word(score: float, score_range: Sequence[float], words: Sequence[str] = RATING_WORDS) -> str:
    """The rating word of a user's score on their native range."""
    return level_to_word(score_to_level(score, score_range, len(words)), words)


def piaa_conversation(shot_scores: Sequence[float], score_range: Sequence[float], word: str | None = None,
                      answer_template: str = ANSWER_TEMPLATE, system: str | None = None) -> Conversation:
    """k (image, score) shots of one user, then the query image, in one user turn; the answer when ``word`` is given.

    Shot scores are shown on the user's native range; the answer is the scoring answer, so in-context
    personal scores are read exactly like ordinary scores.
    """
    lo, hi = (format_score(v, score_range) for v in score_range)
    lines = [PIAA_INTRO.format(lo=lo, hi=hi)]
    lines += [PIAA_SHOT.format(i=i, score=format_score(s, score_range)) for i, s in enumerate(shot_scores, 1)]
    lines.append(PIAA_QUERY)
    conversation: Conversation = [{"role": "system", "content": system}] if system else []
    conversation.append({"role": "user", "content": "\n".join(lines)})
    if word is not None:
        conversation.append({"role": "assistant", "content": score_answer(word, answer_template)})
    return conversation
