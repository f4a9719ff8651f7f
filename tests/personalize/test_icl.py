"""In-context scoring with a cached k-shot prefix: equal to the full prompt, prefix never mutated."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
import torch

from aesthetic_mllm.contract.levels import expected_level, level_to_score
from aesthetic_mllm.personalize.cli import add_personalize_parsers, read_examples
from aesthetic_mllm.scoring.personal import PersonalScorer


@pytest.fixture(scope="module")
def scorer(tiny, photo_files):
    paths, scores = photo_files
    model, processor = tiny
    return PersonalScorer(model, processor, list(zip(paths[:4], scores[:4], strict=True)), (1.0, 5.0), batch_size=3)


def test_cached_scores_equal_the_full_prompt(scorer, photos):
    queries = photos[:3]
    cached = scorer.word_probabilities(queries)
    uncached = scorer.word_probabilities(queries, use_cache=False)
    assert np.abs(cached - uncached).max() < 1e-4
    one = scorer.word_probabilities(queries[:1])  # batch of one, same answer
    assert np.abs(one[0] - uncached[0]).max() < 1e-4


def test_prefix_cache_is_not_mutated_across_queries(scorer, photos):
    before = [(k.clone(), v.clone()) for k, v, *_ in scorer.prefix_cache]
    length = scorer.prefix_cache.get_seq_length()
    first = scorer.word_probabilities(photos[:2])
    scorer.word_probabilities(photos[2:4])
    again = scorer.word_probabilities(photos[:2])
    assert scorer.prefix_cache.get_seq_length() == length == scorer.prefix_length
    for (k0, v0), (k1, v1, *_) in zip(before, scorer.prefix_cache, strict=True):
        assert torch.equal(k0, k1) and torch.equal(v0, v1) and k1.shape[0] == 1
    np.testing.assert_allclose(first, again, atol=1e-6)


def test_prompt_uses_the_piaa_format_and_the_users_range(tiny, photo_files):
    paths, scores = photo_files
    model, processor = tiny
    scorer = PersonalScorer(model, processor, [(paths[0], 2.0), (paths[1], 9.5)], (1, 10))
    assert "scale from 1.0 to 10.0" in scorer.text and "rated 9.5" in scorer.text
    assert scorer.text.count("<low>") == 3  # two shots and the query, each image expanded
    assert scorer.text.endswith("assistant\nThe aesthetic quality of this photo is")  # cut before the rating word
    with pytest.raises(ValueError, match="outside the score range"):
        PersonalScorer(model, processor, [(paths[0], 7.0)], (1, 5))


def test_scores_map_the_word_expectation_to_the_native_range(tiny, photo_files, photos):
    paths, scores = photo_files
    model, processor = tiny
    for lo, hi in ((1.0, 5.0), (0.0, 100.0)):
        scorer = PersonalScorer(model, processor, [(paths[0], lo), (paths[1], hi)], (lo, hi))
        results = scorer.score(photos[:2])
        probs = scorer.word_probabilities(photos[:2])
        for result, p in zip(results, probs, strict=True):
            assert result.range == (lo, hi) and lo <= result.score <= hi
            assert list(result.distribution) == scorer.words
            np.testing.assert_allclose(list(result.distribution.values()), p, atol=1e-6)
            assert result.score == pytest.approx(level_to_score(expected_level(p), (lo, hi), len(p)), abs=1e-6)


def test_from_pretrained_and_cli(tiny_dir, photo_files, tmp_path, capsys):
    paths, scores = photo_files
    csv = tmp_path / "user.csv"
    csv.write_text("image,score\n" + "".join(f"{p},{s}\n" for p, s in zip(paths[:3], scores[:3], strict=True)))
    assert read_examples(csv) == list(zip(paths[:3], scores[:3], strict=True))
    direct = PersonalScorer.from_pretrained(tiny_dir, read_examples(csv), "1,5").score(paths[5:7])
    parser = argparse.ArgumentParser()
    add_personalize_parsers(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["personalize", "icl", "--model", str(tiny_dir), "--examples", str(csv),
                              "--range", "1,5", "--json", *paths[5:7]])
    assert args.func(args) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["score"] for r in lines] == pytest.approx([r.score for r in direct], abs=1e-6)
    bad = tmp_path / "bad.csv"
    bad.write_text("path,rating\nx.jpg,3\n")
    with pytest.raises(ValueError, match="image,score"):
        read_examples(bad)
