"""The web demo in a real browser: the system Chromium driven by Playwright on a tiny saved model.

Without Chromium (Debian package ``chromium``) or Playwright the test skips with that reason,
except under CI (``CI`` set), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AESTHETIC_MLLM_CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = int(os.environ.get("AESTHETIC_MLLM_BROWSER_TIMEOUT_MS", "120000"))


def _require(ok: bool, reason: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the browser test (.ci/run installs chromium)")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    _require(os.path.exists(CHROMIUM), f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require(False, "Playwright is not installed (pip install 'aesthetic_mllm[demo]')")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served(tiny_dir, browser):
    """The demo on 127.0.0.1 (a free port) over a scorer loaded from the tiny model dir."""
    try:
        import gradio  # noqa: F401
    except ImportError:
        _require(False, "Gradio is not installed (pip install 'aesthetic_mllm[demo]')")
    import torch

    from aesthetic_mllm.scoring import AestheticScorer
    from aesthetic_mllm.web.app import launch

    torch.set_num_threads(1)
    port = _free_port()
    demo = launch(AestheticScorer.from_pretrained(tiny_dir, device="cpu"), host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="module")
def reference(tiny_dir):
    """A second scorer from the same directory: the values the page must show."""
    from aesthetic_mllm.scoring import AestheticScorer

    return AestheticScorer.from_pretrained(tiny_dir, device="cpu")


@pytest.fixture
def page(browser, served):
    outside: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    tab = context.new_page()

    def route(r):
        host = re.match(r"^[a-z]+://([^/:]+)", r.request.url)
        if host and host.group(1) not in ("127.0.0.1", "localhost"):
            outside.append(r.request.url)
            return r.abort()
        return r.continue_()

    tab.route("**/*", route)
    tab.goto(served, wait_until="networkidle", timeout=TIMEOUT_MS)
    yield tab
    context.close()
    assert not outside, f"the page tried to reach the network: {outside[:3]}"


def _photo(tmp_path: Path, name: str) -> Path:
    from PIL import Image
    from skimage import data

    path = tmp_path / f"{name}.jpg"
    Image.fromarray(getattr(data, name)()).convert("RGB").save(path, "JPEG", quality=90)
    return path


def _value(page, elem_id: str) -> str:
    return page.locator(f"#{elem_id} textarea, #{elem_id} input").first.input_value()


def _upload(page, elem_id: str, files) -> None:
    from playwright.sync_api import expect

    page.locator(f"#{elem_id} input[type=file]").set_input_files([str(f) for f in files])
    for f in files:
        expect(page.locator(f"#{elem_id}")).to_contain_text(Path(f).stem, timeout=TIMEOUT_MS)


def _status(page, elem_id: str, pattern: str) -> str:
    from playwright.sync_api import expect

    box = page.locator(f"#{elem_id} textarea, #{elem_id} input").first
    expect(box).to_have_value(re.compile(pattern), timeout=TIMEOUT_MS)
    return box.input_value()


def test_photo_score_critique_and_corrupt_file(page, reference, tmp_path):
    photo = _photo(tmp_path, "astronaut")
    expected = reference.score([photo])[0]
    critique = reference.comment([photo])[0]
    advice = reference.suggest([photo])[0]

    _upload(page, "photo", [photo])
    page.locator("#score-button").click()
    status = _status(page, "photo-status", r"^(scored|error)")
    assert status.startswith("scored astronaut.jpg"), status
    shown = float(_value(page, "score"))
    assert shown == pytest.approx(expected.score, abs=1e-4)
    lo, hi = reference.range
    assert lo <= shown <= hi
    assert _value(page, "critique") == critique
    assert _value(page, "advice") == advice
    page.locator("#distribution canvas, #distribution svg.marks").first.wait_for(timeout=TIMEOUT_MS)  # the bar chart
    shot = tmp_path / "demo_photo.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 this is not a JPEG")
    page.locator("#photo button[aria-label='Clear']").first.click()
    _upload(page, "photo", [broken])
    page.locator("#score-button").click()
    error = _status(page, "photo-status", r"^error")
    assert "broken.jpg" in error and "image" in error, error
    assert "Traceback" not in page.content()
    assert _value(page, "score") == ""
    page.screenshot(path=str(tmp_path / "demo_error.png"), full_page=True)


def test_batch_table_and_csv(page, reference, tmp_path):
    photos = [_photo(tmp_path, n) for n in ("coffee", "chelsea")]
    broken = tmp_path / "empty.png"
    broken.write_bytes(b"")
    expected = {Path(r.image).name: r.score for r in reference.score(photos)}

    page.get_by_role("tab", name="Batch").click()
    _upload(page, "batch-files", [*photos, broken])
    page.locator("#batch-button").click()
    status = _status(page, "batch-status", r"^(scored|error)")
    assert status.startswith("scored 2 photo(s)") and "empty.png" in status, status
    table = page.locator("#batch-table")
    for name, score in expected.items():
        row = table.locator("[role=row]", has_text=name).first
        assert f"{score:.4f}".rstrip("0") in row.inner_text(), row.inner_text()
    from playwright.sync_api import expect

    expect(page.locator("#batch-csv")).to_contain_text("scores", timeout=TIMEOUT_MS)
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.locator("#batch-csv a").first.click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "file,score,word" and len(lines) == 3, lines
    page.screenshot(path=str(tmp_path / "demo_batch.png"), full_page=True)


def test_personal_scores_match_the_in_context_scorer(page, reference, tmp_path):
    from aesthetic_mllm.scoring.personal import PersonalScorer

    rated = [_photo(tmp_path, n) for n in ("rocket", "camera")]
    query = _photo(tmp_path, "coins")
    personal = PersonalScorer(reference.model, reference.processor, list(zip(rated, [4.5, 1.5], strict=True)),
                              score_range=reference.range, words=reference.words)
    expected = personal.score([query])[0].score

    page.get_by_role("tab", name="Personal").click()
    _upload(page, "rated", rated)
    page.locator("#rated-scores textarea, #rated-scores input").first.fill("4.5, 1.5")
    _upload(page, "queries", [query])
    page.locator("#personal-button").click()
    status = _status(page, "personal-status", r"^(scored|error)")
    assert status.startswith("scored 1 photo(s) from 2 rated example(s)"), status
    row = page.locator("#personal-table [role=row]", has_text="coins").first
    assert f"{round(expected, 4):.4f}".rstrip("0") in row.inner_text(), row.inner_text()
