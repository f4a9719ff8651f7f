"""Normal ``score`` / ``comment`` / ``personalize icl`` runs raise no FutureWarning or DeprecationWarning.

The libraries are imported first (their import-time notices are not ours); during the command
every FutureWarning and DeprecationWarning is an error, so a deprecated call on our code path
(e.g. ``past_key_values=`` instead of transformers 5's ``cache=``) fails with its traceback, and
transformers' logged notices (deprecations, the torchvision fallback of an image processor) fail too.
"""

from __future__ import annotations

import logging
import warnings

import pytest

import aesthetic_mllm.scoring.personal  # noqa: F401  (imports done before the filter)
import aesthetic_mllm.scoring.scorer  # noqa: F401
from aesthetic_mllm.cli import main


@pytest.fixture(autouse=True)
def transformers_notices():
    """transformers' own deprecation / fallback notices go through its logger, not ``warnings``: collect them."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = logging.getLogger("transformers")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)
    notices = [r.getMessage() for r in records if any(w in r.getMessage() for w in ("deprecated", "falling back"))]
    assert notices == []


@pytest.fixture()
def image_paths(photos, tmp_path):
    paths = []
    for i, photo in enumerate(photos[:3]):
        paths.append(tmp_path / f"p{i}.jpg")
        photo.save(paths[-1])
    return [str(p) for p in paths]


@pytest.mark.parametrize("command", [["score", "--range", "1,10"], ["comment", "--max-new-tokens", "4"],
                                     ["suggest", "--max-new-tokens", "4"]])
def test_inference_commands_raise_no_deprecation_warnings(command, tiny_dir, image_paths, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        warnings.simplefilter("error", DeprecationWarning)
        code = main([*command, "--model", str(tiny_dir), "--batch-size", "2", *image_paths])
    assert code == 0 and len(capsys.readouterr().out.splitlines()) == len(image_paths)


def test_personal_scoring_raises_no_deprecation_warnings(tiny_dir, image_paths, tmp_path, capsys):
    examples = tmp_path / "user.csv"
    examples.write_text("image,score\np0.jpg,2\np1.jpg,4.5\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        warnings.simplefilter("error", DeprecationWarning)
        code = main(["personalize", "icl", "--model", str(tiny_dir), "--examples", str(examples), image_paths[2]])
    assert code == 0
