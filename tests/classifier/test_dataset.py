from pathlib import Path

import pytest

from classifier import (
    DatasetError,
    file_sha256,
    group_key,
    held_out_split,
    load_label_map,
    load_training_data,
    read_training_csv,
)


def write(tmp_path: Path, name: str, content: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode(encoding))
    return path


def test_missing_required_column_names_file_and_line(tmp_path):
    path = write(tmp_path, "bad.csv", "text,ministry\nhello there,A\n")
    with pytest.raises(DatasetError, match=r"bad\.csv: line 1: missing required column\(s\) department"):
        read_training_csv(path)


def test_empty_text_is_skipped_and_counted_with_its_line(tmp_path):
    path = write(tmp_path, "a.csv", "text,department\nwater cut,A\n ,B\nroad hole,B\n")
    data = read_training_csv(path)
    assert data.texts == ["water cut", "road hole"]
    assert [(s.file, s.line, s.reason) for s in data.skipped] == [("a.csv", 3, "empty text")]


def test_empty_text_is_an_error_in_strict_mode(tmp_path):
    path = write(tmp_path, "a.csv", "text,department\nwater cut,A\n,B\n")
    with pytest.raises(DatasetError, match=r"a\.csv: line 3: empty text"):
        read_training_csv(path, strict=True)


def test_unknown_urgency_value_names_the_line(tmp_path):
    path = write(tmp_path, "u.csv", "text,department,urgency\nwater cut,A,high\nfire,B,urgent\n")
    with pytest.raises(DatasetError, match=r"u\.csv: line 3: unknown urgency value 'urgent'"):
        read_training_csv(path)


def test_file_that_is_not_utf8_is_refused(tmp_path):
    path = write(tmp_path, "latin.csv", "text,department\nproblème d'eau,A\n", encoding="latin-1")
    with pytest.raises(DatasetError, match=r"latin\.csv: not UTF-8"):
        read_training_csv(path)


def test_other_columns_are_ignored_and_optional_ones_read(tmp_path):
    path = write(tmp_path, "o.csv", "id,text,department,language,urgency\n1,Water  cut,A,EN,Low\n")
    data = read_training_csv(path)
    assert (data.texts, data.languages, data.urgencies) == (["Water cut"], ["en"], ["low"])


def test_label_with_too_few_examples_is_skipped_or_refused(tmp_path):
    path = write(tmp_path, "r.csv", "text,department\na b,A\nc d,A\ne f,B\ng h,B\ni j,C\n")
    data = load_training_data([path])
    assert set(data.departments) == {"A", "B"}
    assert data.skipped[0].line == 6 and "'C' has fewer than 2 examples" in data.skipped[0].reason
    with pytest.raises(DatasetError, match="'C' \\(1\\)"):
        load_training_data([path], strict=True)


def test_label_map_is_applied_and_unmapped_labels_are_reported(tmp_path):
    mapping = load_label_map(write(tmp_path, "map.csv", "from,to\nHPD,TERRITOIRES\nNYPD,INTERIEUR\n"))
    path = write(tmp_path, "d.csv", "text,department\nheat,HPD\nnoise,NYPD\nmenu,DPR\n")
    data = read_training_csv(path, mapping)
    assert data.departments == ["TERRITOIRES", "INTERIEUR"]
    assert data.skipped[0].reason == "label 'DPR' is not in the label map"


def test_label_map_mapping_one_label_twice_is_refused(tmp_path):
    path = write(tmp_path, "map.csv", "from,to\nHPD,A\nHPD,B\n")
    with pytest.raises(DatasetError, match=r"map\.csv: line 3: 'HPD' is mapped twice"):
        load_label_map(path)


def test_group_key_folds_case_and_white_space():
    assert group_key("  Noise -  Residential\tLOUD ") == group_key("noise - residential loud")


def test_file_fingerprint_is_sha256(tmp_path):
    path = write(tmp_path, "f.csv", "abc")
    assert file_sha256(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_held_out_split_keeps_text_groups_on_one_side(training_set):
    groups = training_set.group_keys()
    train, test = held_out_split(groups)
    assert {groups[i] for i in train}.isdisjoint({groups[i] for i in test})
    assert 0.1 < len(test) / len(groups) < 0.35


def test_held_out_rows_stay_held_out_when_the_data_grows(training_set):
    groups = training_set.group_keys()
    _, before = held_out_split(groups)
    grown = [f"an officer's decision number {i}" for i in range(300)] + groups[::-1]
    train, after = held_out_split(grown)
    held_out_after = {grown[i] for i in after}
    assert {groups[i] for i in before} <= held_out_after
    assert held_out_after.isdisjoint({grown[i] for i in train})
