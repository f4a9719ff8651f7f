"""Model-test helpers: a one-image training batch; a tokenizer that, like a real LLM's, lacks the image and
framing tokens."""

from __future__ import annotations

from functools import lru_cache

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

CORPUS = ["the quality of this photo is low", "a middle grey sky and high contrast", "the theme is a portrait",
          "rate the photo: excellent good fair poor bad", "composition light colour focus"] * 20


@lru_cache(maxsize=1)
def _plain_bpe() -> str:
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["</s>"], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS, trainer=trainer)
    return tok.to_str()


def one_image_batch(processor, photos):
    """A one-image training batch (user question, assistant answer) with labels = input ids."""
    text = processor.apply_chat_template([{"role": "user", "content": "<image>\nRate it."},
                                          {"role": "assistant", "content": "The quality is good."}])
    batch = processor([text], photos[:1])
    batch["labels"] = batch["input_ids"].clone()
    return batch


def plain_tokenizer() -> PreTrainedTokenizerFast:
    """A byte-level BPE with only ``</s>``: composing must add ``<image>`` and the framing tokens."""
    return PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(_plain_bpe()), eos_token="</s>")
