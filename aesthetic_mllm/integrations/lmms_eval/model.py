"""``AestheticLMM``: our model as an lmms-eval ``lmms`` (``--model aesthetic_mllm``).

``loglikelihood`` returns, for each (context, continuation, image) request, the summed log
probability of the continuation's tokens when the one-image conversation (context as the user
turn, continuation as the answer) is rendered as training renders it (the prompt contract); one
forward pass serves all continuations of one document. ``generate_until`` answers
the context by :meth:`AestheticScorer.generate` (greedy), cut at the first stop string.
Model args: ``pretrained=DIR`` (required), ``score_range=LO:HI``, ``dtype``, ``max_new_tokens``;
``--device`` and ``--batch_size`` as lmms-eval passes them.
"""

from __future__ import annotations

from collections import defaultdict

import torch
from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms
from PIL import Image

from ...contract.chat import IGNORE_INDEX, render_and_mask
from ...contract.prompts import single_turn
from ...scoring import AestheticScorer


def _one_image(visuals, where: str) -> Image.Image:
    """The single PIL image of a request (our prompt holds one image); a clear error otherwise."""
    flat = visuals if isinstance(visuals, list | tuple) else [visuals]
    flat = [v for v in flat if v is not None]
    if len(flat) != 1 or not isinstance(flat[0], Image.Image):
        raise ValueError(f"{where}: aesthetic_mllm takes exactly one PIL image per request, got {len(flat)} visual(s)")
    return flat[0].convert("RGB")


class AestheticLMM(lmms):
    """lmms-eval model backed by :class:`~aesthetic_mllm.scoring.AestheticScorer`."""

    is_simple = True

    def __init__(self, pretrained: str, device: str | None = None, batch_size: int | str | None = None,
                 score_range: str = "1:5", dtype: str | None = None, max_new_tokens: int | str = 64,
                 **kwargs) -> None:
        super().__init__()
        unknown = {k: v for k, v in kwargs.items() if k != "max_batch_size" and v is not None}
        if unknown:
            raise ValueError(f"aesthetic_mllm: unknown model_args {sorted(unknown)} "
                             "(known: pretrained, score_range, dtype, max_new_tokens)")
        lo, hi = (float(v) for v in str(score_range).replace(",", ":").split(":"))
        size = int(batch_size) if batch_size not in (None, "auto") else None
        self.scorer = AestheticScorer.from_pretrained(pretrained, score_range=(lo, hi), device=device, dtype=dtype,
                                                      batch_size=size, max_new_tokens=int(max_new_tokens))

    def _doc_image(self, visual_fn, task: str, split: str, doc_id: int) -> Image.Image:
        return _one_image(visual_fn(self.task_dict[task][split][doc_id]), f"task {task} doc {doc_id}")

    def _continuation_ids(self, context: str, continuation: str) -> tuple[list[int], int, int]:
        """Ids of the one-image conversation ``context`` -> ``continuation`` rendered as training renders it,
        where the continuation's tokens start, and where they end (before the end-of-turn tokens)."""
        encoded = render_and_mask(single_turn(context, continuation), self.scorer.processor)
        start = encoded.answer_start
        if start is None:
            raise ValueError(f"continuation {continuation!r}: no answer tokens in the rendered conversation")
        special = set(self.scorer.processor.tokenizer.all_special_ids)
        end = start
        while end < len(encoded.labels) and encoded.labels[end] != IGNORE_INDEX:
            end += 1
        while end > start and encoded.input_ids[end - 1] in special:
            end -= 1
        if end == start:
            raise ValueError(f"continuation {continuation!r} has no tokens of its own")
        return encoded.input_ids[:end], start, end

    @torch.no_grad()
    def continuation_logprobs(self, image: Image.Image, context: str,
                              continuations: list[str]) -> list[tuple[float, bool]]:
        """(summed log-probability, greedy?) of each continuation as the answer to ``context`` about ``image``."""
        rows = [self._continuation_ids(context, cont) for cont in continuations]
        processor, scorer = self.scorer.processor, self.scorer
        batch = processor.pad([ids for ids, _, _ in rows], padding_side="right")
        pixels = processor.preprocess_images([image] * len(rows))
        logits = scorer.model(input_ids=batch["input_ids"].to(scorer.device), pixel_values=pixels.to(scorer.device),
                              attention_mask=batch["attention_mask"].to(scorer.device)).logits
        logprobs = torch.log_softmax(logits.float(), dim=-1).cpu()
        out = []
        for row, (ids, start, end) in enumerate(rows):
            targets = torch.tensor(ids[start:end])
            pred = logprobs[row, start - 1 : end - 1]
            total = float(pred.gather(1, targets[:, None]).sum())
            out.append((total, bool((pred.argmax(-1) == targets).all())))
        return out

    def loglikelihood(self, requests: list[Instance]) -> list[tuple[float, bool]]:
        groups: dict[tuple, list[int]] = defaultdict(list)
        for i, req in enumerate(requests):
            context, _, _, doc_id, task, split = req.args
            groups[(context, task, split, doc_id)].append(i)
        results: list[tuple[float, bool] | None] = [None] * len(requests)
        for (context, task, split, doc_id), members in groups.items():
            first = requests[members[0]].args
            conts = []
            for i in members:
                target = requests[i].args[1]
                conts.append(target if isinstance(target, str) else target(self.task_dict[task][split][doc_id]))
            image = self._doc_image(first[2], task, split, doc_id)
            for i, res in zip(members, self.continuation_logprobs(image, context, conts), strict=True):
                results[i] = res
        return results  # type: ignore[return-value]

    def generate_until(self, requests: list[Instance]) -> list[str]:
        groups: dict[tuple, list[int]] = defaultdict(list)
        for i, req in enumerate(requests):
            context, gen_kwargs = req.args[0], dict(req.args[1] or {})
            until = gen_kwargs.get("until") or []
            until = (until,) if isinstance(until, str) else tuple(until)
            groups[(context, gen_kwargs.get("max_new_tokens"), until)].append(i)
        results: list[str] = [""] * len(requests)
        for (context, max_new, until), members in groups.items():
            images = []
            for i in members:
                _, _, visual_fn, doc_id, task, split = requests[i].args
                images.append(self._doc_image(visual_fn, task, split, doc_id))
            texts = self.scorer.generate(images, context, max_new_tokens=int(max_new) if max_new else None)
            for i, text in zip(members, texts, strict=True):
                for stop in until:
                    text = text.split(stop)[0] if stop else text
                results[i] = text
        return results

    def generate_until_multi_round(self, requests) -> list[str]:
        raise NotImplementedError("aesthetic_mllm answers single-round requests only (generate_until)")
