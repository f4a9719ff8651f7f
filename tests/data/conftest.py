"""Tiny datasets written in exactly the published layouts (generated here, never the real data)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"

import pytest  # noqa: E402
from PIL import Image  # noqa: E402


def image(path: Path, color: tuple[int, int, int] = (120, 80, 40), size: tuple[int, int] = (8, 6)) -> Path:
    """A tiny real image (format from the suffix)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path)
    return path


def table(path: Path, header: Sequence[str] | str, rows: Sequence[Sequence[Any]], sep: str = ",",
          newline: str = "\n") -> Path:
    """A delimited text file; ``header`` given as a string is written verbatim; ``newline="\\r\\n"`` for CRLF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [header if isinstance(header, str) else sep.join(header)] if header is not None else []
    lines += [sep.join(str(v) for v in row) for row in rows]
    path.write_bytes((newline.join(lines) + newline).encode())
    return path


AVA_ROWS = [
    "1 100 0 0 0 0 10 0 0 0 0 0 1 22 7",   # all votes on 5 -> 5.0, tags Abstract + Black and White
    "2 101 0 0 0 0 0 0 0 0 0 10 0 0 7",    # all votes on 10 -> 10.0
    "3 102 1 1 1 1 1 1 1 1 1 1 15 0 8",    # uniform -> 5.5, tag Nature
]


def write_ava(root: Path) -> Path:
    (root / "AVA.txt").parent.mkdir(parents=True, exist_ok=True)
    (root / "AVA.txt").write_text("\n".join(AVA_ROWS) + "\n")
    (root / "tags.txt").write_text("1 Abstract\n15 Nature\n22 Black and White\n")
    (root / "test_ids.txt").write_text("102\n")
    for image_id in ("100", "101", "102"):
        image(root / "images" / f"{image_id}.jpg")
    return root


def aadb_url(k: int) -> str:
    return f"http://farm{k % 3 + 1}.staticflickr.com/{1000 + k}/{k}_abc_b.jpg"


def aadb_name(k: int) -> str:
    return f"farm{k % 3 + 1}_{1000 + k}_{k}_abc_b.jpg"


AADB_ATTRIBUTES = ("balancingElement", "colorHarmony", "content", "DoF", "motionBlur", "object", "repetition",
                   "ruleOfThirds", "symmetry", "vividColor")
AADB_TEXT = ("Positive", "Negative", "Neutral", "")


def aadb_answer(worker: int, k: int, a: int) -> str:
    return AADB_TEXT[(worker + k + a) % 4]


def aadb_score(worker: int, k: int) -> int:
    """1-5, except 0 (no answer) for worker 2's slot 7."""
    return 0 if (worker, k) == (2, 7) else (k + worker) % 5 + 1


def write_aadb(root: Path) -> Path:
    """The release: quoted header, text attribute answers (``choiceLight`` for light), 0 = no answer."""
    slots = range(1, 11)
    columns = (["HITId", "WorkerId"] + [f"Input.image_url{k}" for k in slots] + [f"Answer.overallScore{k}" for k in slots]
               + [f"Answer.{a}{k}" for a in AADB_ATTRIBUTES for k in slots] + [f"Answer.choiceLight{k}" for k in slots])
    rows = []
    for w, worker in enumerate(("W1", "W2"), start=1):
        cells = [f"HIT{w}", worker] + [aadb_url(k) for k in slots] + [aadb_score(w, k) for k in slots]
        cells += [aadb_answer(w, k, a) for a in range(len(AADB_ATTRIBUTES)) for k in slots]
        cells += [aadb_answer(w, k, len(AADB_ATTRIBUTES)) for k in slots]
        rows.append([f'"{c}"' for c in cells])
    labels = root / "imgListFiles_label"
    table(labels / "AADB_AllinAll.csv", ",".join(f'"{c}"' for c in columns), rows)
    table(root / "aadb_workers.csv", ["worker", "image_name", "score"],
          [["W1", aadb_name(1), 2], ["W2", aadb_name(1), 4], ["W2", aadb_name(2), 3]])
    lists = {"Train": [(1, 0.6), (2, 0.35)], "Validation": [(3, 0.5)], "TestNew": [(4, 0.9), (5, 0.15)]}
    for part, entries in lists.items():
        table(labels / f"imgList{part}Regression_score.txt", None, [[aadb_name(k), v] for k, v in entries], " ")
        for attribute in ("ColorHarmony", "Light"):
            table(labels / f"imgList{part}Regression_{attribute}.txt", None,
                  [[aadb_name(k), round(v - 0.5, 2) if attribute == "Light" else -0.2] for k, v in entries], " ")
    for k in slots:
        image(root / "datasetImages_originalSize" / aadb_name(k))
    return root


TAD_TRAIN = [("a.jpg", 5.5), ("b.jpg", 7.25), ("c.jpg", 3.1)]
TAD_TEST = [("d.jpg", 6.0), ("e.jpg", 4.4), ("f.jpg", 8.15)]


def write_tad66k(root: Path) -> Path:
    """merge/ is the authority; unmerge/train/{tree,flower}.csv also list test images (d, e); CRLF."""
    crlf = "\r\n"
    table(root / "merge" / "train.csv", ["image", "score"], TAD_TRAIN, newline=crlf)
    table(root / "merge" / "test.csv", ["image", "score"], TAD_TEST, newline=crlf)
    table(root / "unmerge" / "train" / "tree.csv", ["image", "score"], [["a.jpg", 5.5], ["d.jpg", 6.0]], newline=crlf)
    table(root / "unmerge" / "train" / "flower.csv", ["image", "score"],
          [["b.jpg", 7.25], ["d.jpg", 6.0], ["e.jpg", 4.4]], newline=crlf)
    table(root / "unmerge" / "train" / "night.csv", ["image", "score"], [["a.jpg", 5.5], ["c.jpg", 3.1]], newline=crlf)
    table(root / "unmerge" / "test" / "animal.csv", ["image", "score"], [["f.jpg", 8.15]], newline=crlf)
    for name, _ in TAD_TRAIN + TAD_TEST:
        image(root / "images" / name)
    return root


# metadata/koniq10k_distributions_sets.csv: c1..c5 fractions (sum 1), MOS on 0-100, SD on 1-5, set column
KONIQ_SETS = [  # image, counts c1..c5 (fractions are written), MOS 0-100, SD, set
    ("10004473376.jpg", (0, 2, 10, 60, 28), 78.5, 0.68, "training"),
    ("10007357496.jpg", (40, 30, 20, 10, 0), 22.25, 1.0, "training"),
    ("10008492614.jpg", (5, 15, 50, 25, 5), 52.0, 0.87, "training"),
    ("10012475675.jpg", (1, 4, 20, 55, 20), 71.0, 0.8, "validation"),
    ("10015149744.jpg", (80, 15, 5, 0, 0), 3.91, 0.5, "test"),
    ("10021041374.jpg", (0, 0, 2, 20, 78), 88.39, 0.5, "test"),
    ("10024362446.jpg", (10, 20, 40, 20, 10), 50.0, 1.1, "test"),
]


def write_koniq(root: Path) -> Path:
    """The official repository's layout: metadata/koniq10k_distributions_sets.csv and images/512x384/."""
    header = ["image_name", "c1", "c2", "c3", "c4", "c5", "c_total", "MOS", "SD", "set"]
    rows = [[name, *(f"{c / sum(counts)!r}" for c in counts), sum(counts), mos, sd, part]
            for name, counts, mos, sd, part in KONIQ_SETS]
    table(root / "metadata" / "koniq10k_distributions_sets.csv", header, rows)
    for name, *_ in KONIQ_SETS:
        image(root / "images" / "512x384" / name)
    return root


def write_koniq_scores(root: Path) -> Path:
    """The other release file (vote counts, MOS 1-5, MOS_zscore ~0-100), older layout: 1024x768/ at the root."""
    header = ["image_name", "c1", "c2", "c3", "c4", "c5", "c_total", "MOS", "SD", "MOS_zscore"]
    table(root / "koniq10k_scores_and_distributions.csv", header,
          [["10004473376.jpg", 0, 1, 2, 3, 4, 10, 4.0, 1.0, 70.5], ["10007357496.jpg", 4, 3, 2, 1, 0, 10, 2.0, 1.0, 30.25]])
    image(root / "1024x768" / "10004473376.jpg")
    image(root / "1024x768" / "10007357496.jpg")
    return root


def write_spaq(root: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Image name", "MOS", "Brightness", "Colorfulness", "Contrast", "Noisiness", "Sharpness"])
    sheet.append(["00001.jpg", 45.5, 50, 60, 55, 20, 70])
    sheet.append(["00002.jpg", 80.0, 52.5, 61, 40, 10, 90])
    (root / "Annotations").mkdir(parents=True)
    book.save(root / "Annotations" / "MOS and Image attribute scores.xlsx")
    image(root / "TestImage" / "00001.jpg")
    image(root / "TestImage" / "00002.jpg")
    return root


PARA_HEADER = ["sessionId", "imageName", "userId", "aestheticScore", "qualityScore", "compositionScore", "colorScore",
               "dofScore", "contentScore", "lightScore", "contentPreference", "willingnessToShare", "imgEmotion",
               "difficultyOfJudgment", "semantic"]


def write_para(root: Path) -> Path:
    ann = root / "annotation"
    table(ann / "PARA-Images.csv", PARA_HEADER, [
        ["session1", "iaa_pub1_.jpg", "u1", 3.5, 3.0, 3.5, 4.0, 2.5, 3.0, 3.5, 4.0, 2.0, "joy", 1.0, "animal"],
        ["session1", "iaa_pub2_.jpg", "u1", 4.0, 4.0, 3.5, 4.0, 3.0, 3.0, 4.5, 5.0, 4.0, "calm", 2.0, "scenery"],
        ["session1", "iaa_pub1_.jpg", "u2", 2.5, 2.0, 2.5, 3.0, 2.5, 2.0, 2.5, 1.0, 1.0, "sad", 3.0, "animal"]])
    table(ann / "PARA-UserInfo.csv", ["userId", "age", "gender", "EducationalLevel", "artExperience",
                                      "photographyExperience", "personality-E", "personality-A", "personality-N",
                                      "personality-O", "personality-C"],
          [["u1", "18-21", "male", "junior_college", "beginner", "proficient", 5, 6, 4, 7, 5],
           ["u2", "22-25", "female", "university", "no_experience", "beginner", 3, 7, 5, 6, 6]])
    bins = [f"aestheticScore_{k / 2:.1f}" for k in range(2, 11)]
    header = ["imageName", "sessionId", "semantic", *bins, "aestheticScore_mean", "aestheticScore_std",
              "qualityScore_mean"]
    table(ann / "PARA-GiaaTrain.csv", header,
          [["iaa_pub1_.jpg", "session1", "animal", 0, 0, 1, 2, 3, 2, 1, 0, 0, 3.0, 0.5, 3.2]])
    table(ann / "PARA-GiaaTest.csv", header,
          [["iaa_pub2_.jpg", "session1", "scenery", 0, 0, 0, 0, 1, 2, 4, 2, 1, 4.0, 0.4, 3.9]])
    image(root / "imgs" / "session1" / "iaa_pub1_.jpg")
    image(root / "imgs" / "session1" / "iaa_pub2_.jpg")
    return root


def write_flickr_aes(root: Path) -> Path:
    """A space after every comma (header and rows); the score file pads names and is not on 1-5."""
    table(root / "FLICKR-AES_image_labeled_by_each_worker.csv", "worker, imagePair, score",
          [["A1AQ5UDA4FBNGJ", " farm1_1_a.jpg", " 3"], ["A1AQ5UDA4FBNGJ", " farm2_2_b.jpg", " 5"],
           ["AGXT2OHMTWBRS", " farm1_1_a.jpg", " 1"]])
    (root / "FLICKR-AES_image_score.txt").write_text("  farm1_1_a.jpg 0.35\n farm2_2_b.jpg 4.65\n")
    image(root / "40K" / "farm1_1_a.jpg")
    image(root / "40K" / "farm2_2_b.jpg")
    return root


def write_realcur(root: Path) -> Path:
    image(root / "album1" / "1" / "a.jpg")
    image(root / "album1" / "5" / "b.jpg")
    image(root / "album2" / "3" / "c.png")
    return root


def write_ava_captions(root: Path) -> Path:
    """Karpathy-style JSON; every comment carries raw, clean and tokens."""
    root.mkdir(parents=True)

    def sentence(raw: str, clean: str) -> dict[str, Any]:
        return {"raw": raw, "clean": clean, "tokens": clean.split()}

    data = {"images": [
        {"filename": "100.jpg", "split": "train", "imgid": 0,
         "sentences": [sentence("Nice colors!!! :)", "nice colors"), sentence("too dark... 4/10", "too dark")]},
        {"filename": "101.jpg", "split": "test", "imgid": 1,
         "sentences": [sentence("Great composition, well done!", "great composition well done")]}]}
    (root / "CLEAN_AVA_FULL_AFTER_SUBJECTIVE_CLEANING.json").write_text(json.dumps(data))
    image(root / "images" / "100.jpg")
    image(root / "images" / "101.jpg")
    return root


PCCD_ASPECTS = ("general_impression", "composition", "color_lighting", "subject_of_photo", "depth_of_field", "focus",
                "use_of_camera")


def pccd_entry(title: str, overall: str, scores: list[str], **critiques: str) -> dict[str, Any]:
    entry = {"category": "Nature", "description": f"My photo {title}, taken at dawn.",
             "image_url": f"http://example.invalid/{title}.jpg", "overall": overall, "photographer": "p1",
             "reviewer": "r1", "score": scores, "site": "gurushots", "title": title}
    entry.update({a: critiques.get(a, "") for a in PCCD_ASPECTS})
    return dict(sorted(entry.items()))


def write_pccd(root: Path) -> Path:
    """As redistributed with AestheVal: guru_{train,validation,test}.json and images/full/<title>.jpg."""
    root.mkdir(parents=True)
    splits = {
        "train": [pccd_entry("22_water.droplets", "9.1", ["9", "8.5", "N", "9", "N", "8", "N"],
                             general_impression="Lovely moment.", composition="Centered subject works here."),
                  pccd_entry("bird", "6.5", ["6", "N", "N", "N", "N", "N", "N"], focus="The eye is soft.")],
        "validation": [pccd_entry("tree", "7.0", ["N"] * 7, color_lighting="Warm light.")],
        "test": [pccd_entry("night.sky", "8.0", ["8", "7", "9", "N", "N", "N", "7.5"],
                            general_impression="Striking.", use_of_camera="Long exposure done well.")],
    }
    for part, entries in splits.items():
        (root / f"guru_{part}.json").write_text(json.dumps(entries, indent=1))
        for entry in entries:
            image(root / "images" / "full" / f"{entry['title']}.jpg")
    return root


def write_llava_json(root: Path) -> Path:
    root.mkdir(parents=True)
    data = [{"id": "000", "image": "imgs/a.jpg", "conversations": [
                {"from": "human", "value": "<image>\nDescribe the photo."}, {"from": "gpt", "value": "A cat."}]},
            {"id": "001", "conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello."}]}]
    (root / "pairs.json").write_text(json.dumps(data))
    image(root / "imgs" / "a.jpg")
    return root


def write_mos(root: Path) -> Path:
    table(root / "scores.csv", ["path", "mos", "split"], [["a.jpg", 0.8, "train"], ["sub/b.png", 0.2, "test"]])
    (root / "scores.jsonl").write_text('{"path": "a.jpg", "mos": 0.8}\n{"path": "sub/b.png", "mos": 0.25}\n')
    image(root / "a.jpg")
    image(root / "sub" / "b.png")
    return root


def write_folder(root: Path) -> Path:
    image(root / "a.jpg")
    image(root / "sub" / "b.png")
    image(root / "sub" / "deeper" / "c.jpeg")
    image(root / ".hidden.jpg")
    (root / "notes.txt").write_text("not an image")
    return root


WRITERS: dict[str, Callable[[Path], Path]] = {
    "ava": write_ava, "aadb": write_aadb, "tad66k": write_tad66k, "koniq": write_koniq, "spaq": write_spaq,
    "para": write_para, "flickr_aes": write_flickr_aes, "realcur": write_realcur, "ava_captions": write_ava_captions,
    "pccd": write_pccd, "llava_json": write_llava_json, "mos": write_mos, "folder": write_folder,
}
EXTRA_WRITERS: dict[str, Callable[[Path], Path]] = {"koniq_scores": write_koniq_scores}


@pytest.fixture
def dataset(tmp_path: Path) -> Callable[[str], Path]:
    """``dataset(name)`` writes that source's tiny fixture under ``tmp_path`` and returns its root."""
    return lambda name: {**WRITERS, **EXTRA_WRITERS}[name](tmp_path / name)
