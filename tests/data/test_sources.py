"""Every source reads its published layout: scores, ranges, histograms, splits, absolute paths."""

from __future__ import annotations

import os

import pytest

from aesthetic_mllm.data.arrow import dataset_to_records, records_to_dataset
from aesthetic_mllm.data.sources import SOURCES, load_source
from aesthetic_mllm.data.sources.aadb import image_name_from_url

from .conftest import WRITERS, aadb_name


def load(dataset, name, **kwargs):
    return load_root(dataset(name), name, **kwargs)


def load_root(root, name, **kwargs):
    result = load_source(name, root, on_error="raise", **kwargs)
    assert not result.problems.items
    for record in result.records:
        assert all(os.path.isabs(p) and os.path.isfile(p) for p in record.images), record
    return result.records


def by_id(records):
    return {r.id: r for r in records}


def test_every_source_is_registered_and_has_a_fixture():
    assert set(WRITERS) <= set(SOURCES)


def test_ava(dataset):
    records = by_id(load(dataset, "ava"))
    assert records["100"].score == 5.0 and records["101"].score == 10.0 and records["102"].score == 5.5
    assert records["100"].score_range == (1.0, 10.0)
    assert records["102"].histogram == [1.0] * 10 and records["102"].histogram_kind == "counts"
    assert records["100"].tags == ["Abstract", "Black and White"] and records["102"].tags == ["Nature"]
    assert records["100"].meta == {"challenge": "7"} and records["100"].split is None


def test_ava_test_list_and_limit(dataset):
    root = dataset("ava")
    test = load_source("ava", root, split="test", test_list="test_ids.txt").records
    assert [r.id for r in test] == ["102"] and test[0].split == "test"
    train = load_source("ava", root, split="train", test_list=["102"], limit=1).records
    assert [r.id for r in train] == ["100"]


def test_ava_without_images_check(tmp_path):
    (tmp_path / "AVA.txt").write_text("1 5 0 0 0 0 0 0 0 2 2 0 0 0 1\n")
    record = load_source("ava", tmp_path, on_error="raise", check_images=False).records[0]
    assert record.score == 8.5 and record.image == str(tmp_path.resolve() / "images" / "5.jpg")


def test_aadb_raw_per_worker(dataset):
    records = by_id(load(dataset, "aadb"))
    assert len(records) == 19  # 2 HITs x 10 slots, one "no answer" (0) skipped
    first = records[f"W1/{aadb_name(1)}"]
    assert first.score == 3.0 and first.user_id == "W1" and first.score_range == (1.0, 5.0)
    assert first.attributes["balancingElement"] == 0.0 and first.attributes["light"] == 1.0
    assert "colorHarmony" not in first.attributes  # an empty answer is missing, not 0
    assert records[f"W2/{aadb_name(10)}"].score == 3.0
    assert image_name_from_url("http://farm3.staticflickr.com/2838/97_ab_b.jpg") == "farm3_2838_97_ab_b.jpg"


def test_aadb_derived_and_giaa(dataset):
    root = dataset("aadb")
    derived = load_source("aadb", root, file="aadb_workers.csv", on_error="raise").records
    assert [(r.user_id, r.score) for r in derived] == [("W1", 2.0), ("W2", 4.0), ("W2", 3.0)]
    giaa = load_source("aadb", root, giaa=True, on_error="raise").records
    assert [(r.split, r.score) for r in giaa] == [("train", 0.6), ("train", 0.35), ("val", 0.5), ("test", 0.9),
                                                  ("test", 0.15)]
    assert giaa[0].score_range == (0.0, 1.0) and giaa[0].attributes == {}
    assert [r.id for r in load_source("aadb", root, giaa=True, split="test").records] == [aadb_name(4), aadb_name(5)]


def test_aadb_test_workers(dataset):
    records = load_source("aadb", dataset("aadb"), split="test", test_workers=["W2"]).records
    assert len(records) == 9 and {r.user_id for r in records} == {"W2"}


def test_tad66k_merged_and_themes(dataset):
    root = dataset("tad66k")
    records = by_id(load_source("tad66k", root, on_error="raise").records)
    assert records["b.jpg"].score == 7.25 and records["b.jpg"].split == "train" and records["d.jpg"].split == "test"
    assert records["a.jpg"].score_range == (1.0, 10.0) and records["a.jpg"].tags == []
    assert [r.id for r in load_source("tad66k", root, split="test").records] == ["d.jpg", "e.jpg", "f.jpg"]
    themed = load_source("tad66k", root, split="train", themes=True, on_error="raise").records
    assert [(r.id, r.tags) for r in themed] == [("a.jpg", ["night", "tree"]), ("b.jpg", ["flower"]),
                                                ("c.jpg", ["night"])]


def test_koniq_sets_file(dataset):
    records = by_id(load(dataset, "koniq"))
    assert len(records) == 7
    first = records["10004473376.jpg"]
    assert first.score == 78.5 and first.score_range == (0.0, 100.0) and first.split == "train"
    assert first.histogram == [0.0, 2.0, 10.0, 60.0, 28.0] and first.histogram_kind == "counts"
    assert first.meta == {"SD": 0.68, "c_total": 100.0}
    assert "images/512x384" in first.image.replace(os.sep, "/")


def test_koniq_scores_file(dataset):
    records = load_root(dataset("koniq_scores"), "koniq")
    assert [r.score for r in records] == [4.0, 2.0]
    assert records[0].histogram == [0.0, 1.0, 2.0, 3.0, 4.0] and records[0].score_range == (1.0, 5.0)
    assert records[0].histogram_kind == "counts" and records[0].split is None
    assert records[1].meta == {"SD": 1.0, "MOS_zscore": 30.25, "c_total": 10.0}
    assert "1024x768" in records[0].image


def test_spaq(dataset):
    records = load(dataset, "spaq")
    assert [r.score for r in records] == [45.5, 80.0] and records[0].score_range == (0.0, 100.0)
    assert records[1].attributes == {"Brightness": 52.5, "Colorfulness": 61.0, "Contrast": 40.0,
                                     "Noisiness": 10.0, "Sharpness": 90.0}


def test_para_per_user(dataset):
    records = by_id(load(dataset, "para"))
    first = records["u1/iaa_pub1_.jpg"]
    assert first.score == 3.5 and first.user_id == "u1" and first.score_range == (1.0, 5.0)
    assert first.attributes["compositionScore"] == 3.5 and first.attributes["willingnessToShare"] == 2.0
    assert first.tags == ["animal"] and first.meta["emotion"] == "joy"
    assert first.meta["user_info"]["photographyExperience"] == "proficient"
    assert first.image.endswith(os.path.join("imgs", "session1", "iaa_pub1_.jpg"))
    assert records["u2/iaa_pub1_.jpg"].score == 2.5


def test_para_giaa_split_chooses_file(dataset):
    root = dataset("para")
    train = load_source("para", root, giaa=True, split="train", on_error="raise").records
    assert len(train) == 1 and train[0].score == 3.0 and train[0].split == "train"
    assert train[0].histogram == [0, 0, 1, 2, 3, 2, 1, 0, 0] and train[0].attributes == {"qualityScore": 3.2}
    assert train[0].tags == ["animal"]  # the semantic column, as in per-user mode
    both = load_source("para", root, giaa=True).records
    assert [r.split for r in both] == ["train", "test"] and both[1].tags == ["scenery"]


def test_flickr_aes_reads_spaces_after_every_comma(dataset):
    root = dataset("flickr_aes")
    records = load_root(root, "flickr_aes")
    assert [(r.user_id, r.id, r.score) for r in records] == [
        ("A1AQ5UDA4FBNGJ", "A1AQ5UDA4FBNGJ/farm1_1_a.jpg", 3.0), ("A1AQ5UDA4FBNGJ", "A1AQ5UDA4FBNGJ/farm2_2_b.jpg", 5.0),
        ("AGXT2OHMTWBRS", "AGXT2OHMTWBRS/farm1_1_a.jpg", 1.0)]
    test = load_source("flickr_aes", root, split="test", test_workers=["AGXT2OHMTWBRS"]).records
    assert [r.user_id for r in test] == ["AGXT2OHMTWBRS"]


def test_flickr_aes_image_scores_range_from_the_file(dataset):
    root = dataset("flickr_aes")
    result = load_source("flickr_aes", root, giaa=True, on_error="raise")
    assert [(r.id, r.score, r.score_range) for r in result.records] == [("farm1_1_a.jpg", 0.35, (0.0, 5.0)),
                                                                        ("farm2_2_b.jpg", 4.65, (0.0, 5.0))]
    assert result.info["score_range_from"].startswith("file: scores 0.35..4.65")
    stated = load_source("flickr_aes", root, giaa=True, score_range=[0, 10], on_error="raise")
    assert stated.records[0].score_range == (0.0, 10.0) and stated.info["score_range_from"] == "option: score_range"


def test_realcur(dataset):
    records = load(dataset, "realcur")
    assert [(r.id, r.user_id, r.score) for r in records] == [
        ("album1/a.jpg", "album1", 1.0), ("album1/b.jpg", "album1", 5.0), ("album2/c.png", "album2", 3.0)]


def test_ava_captions_clean_by_default_raw_kept(dataset):
    root = dataset("ava_captions")
    records = load_root(root, "ava_captions")
    assert records[0].comments == ["nice colors", "too dark"] and records[0].split == "train"
    assert records[0].meta["raw_comments"] == ["Nice colors!!! :)", "too dark... 4/10"]
    assert records[1].id == "101" and records[1].split == "test"
    raw = load_source("ava_captions", root, text="raw", on_error="raise").records
    assert raw[1].comments == ["Great composition, well done!"]
    kept = load_source("ava_captions", root, exclude=["101"]).records
    assert [r.id for r in kept] == ["100"]
    with pytest.raises(ValueError, match="text must be one of"):
        load_source("ava_captions", root, text="cleaned")


def test_ava_captions_mapping_layout(tmp_path):
    from .conftest import image

    (tmp_path / "ava_captions.json").write_text('{"7": ["good light", "  "]}')
    image(tmp_path / "images" / "7.jpg")
    records = load_source("ava_captions", tmp_path, on_error="raise").records
    assert records[0].comments == ["good light"] and records[0].split is None


def test_pccd_split_files(dataset):
    root = dataset("pccd")
    records = by_id(load_root(root, "pccd"))
    assert sorted(records) == ["22_water.droplets.jpg", "bird.jpg", "night.sky.jpg", "tree.jpg"]
    drops = records["22_water.droplets.jpg"]
    assert drops.split == "train" and drops.image.endswith(os.path.join("images", "full", "22_water.droplets.jpg"))
    assert drops.aspects == {"general_impression": "Lovely moment.", "composition": "Centered subject works here."}
    assert drops.comments == ["Lovely moment.", "Centered subject works here."]
    assert drops.score == 9.1 and drops.score_range == (0.0, 10.0)
    assert drops.attributes == {"general_impression": 9.0, "composition": 8.5, "subject_of_photo": 9.0, "focus": 8.0}
    assert drops.meta["description"] == "My photo 22_water.droplets, taken at dawn."
    assert all("My photo" not in c for r in records.values() for c in r.comments)
    assert records["tree.jpg"].split == "val" and records["tree.jpg"].attributes == {}
    assert [r.id for r in load_source("pccd", root, split="test").records] == ["night.sky.jpg"]


def test_llava_json(dataset):
    records = load(dataset, "llava_json")
    assert records[0].messages == [{"role": "user", "content": "<image>\nDescribe the photo."},
                                   {"role": "assistant", "content": "A cat."}]
    assert records[0].image.endswith(os.path.join("imgs", "a.jpg")) and records[1].images == []


def test_mos_csv_and_jsonl(dataset):
    root = dataset("mos")
    csv_records = load_source("mos", root / "scores.csv", path_column="path", score_column="mos",
                              score_range=[0, 1], split_column="split", on_error="raise").records
    assert [(r.score, r.split, r.score_range) for r in csv_records] == [(0.8, "train", (0.0, 1.0)),
                                                                       (0.2, "test", (0.0, 1.0))]
    jsonl = load_source("mos", root, file="scores.jsonl", path_column="path", score_column="mos",
                        score_range=(0, 1), on_error="raise").records
    assert [r.score for r in jsonl] == [0.8, 0.25] and jsonl[1].image.endswith(os.path.join("sub", "b.png"))


def test_folder(dataset):
    records = load(dataset, "folder")
    assert [r.id for r in records] == ["a.jpg", "sub/b.png", "sub/deeper/c.jpeg"]
    assert all(r.score is None and r.score_range is None for r in records)


@pytest.mark.parametrize("cache", [False, True])
def test_arrow_round_trip(dataset, tmp_path, cache):
    records = load(dataset, "para") + load(dataset, "llava_json") + load(dataset, "koniq") + load(dataset, "pccd")
    ds = records_to_dataset(records, cache_dir=tmp_path / "cache" if cache else None)
    assert len(ds) == len(records) and ds[0]["score"] == 3.5
    assert bool(ds.cache_files) == cache
    assert dataset_to_records(ds) == records
    assert dataset_to_records(ds.select([2])) == [records[2]]


def test_folder_streams_without_indexing(tmp_path):
    from PIL import Image

    from aesthetic_mllm.data.sources.folder import stream_folder

    for name in ("b/2.png", "a/1.jpg", "c.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".txt"):
            path.write_text("not an image")
        else:
            Image.new("RGB", (8, 8)).save(path)
    rows = list(stream_folder(tmp_path))
    assert [r["id"] for r in rows] == ["a/1.jpg", "b/2.png"]
