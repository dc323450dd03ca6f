"""Text corpora: documents from .txt/.md/.zip/JSONL, joined and cut into full blocks."""

from __future__ import annotations

import io
import json
import stat
import zipfile

import pytest

from easytune.training.data import DataValidationError, load_dataset, textfiles, tokenize_example
from easytune.training.data.corpus import corpus_blocks, document_ids
from easytune.training.data.template import IGNORE_INDEX, end_of_text_id
from easytune.training.pipeline import prepare_data
from easytune.training.spec import DataSpec


def _zip(entries: dict[str, str], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in entries.items():
            info = zipfile.ZipInfo(name)
            if name in links:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def test_a_txt_without_blank_lines_is_one_document_per_line(write):
    loaded = load_dataset(write("w1 w2 w3\nw4 w5\nw6\n", ".txt"))
    assert [ex.text for ex in loaded.examples] == ["w1 w2 w3", "w4 w5", "w6"]
    assert loaded.kind == "corpus" and loaded.format == "text"
    assert "split into one document per line (3): the file has no blank lines" in list(
        map(str, loaded.notes)
    )


def test_a_txt_with_blank_lines_is_split_into_blocks(write):
    loaded = load_dataset(write("First doc\nstill first\n\nSecond doc\n", ".txt"))
    assert [ex.text for ex in loaded.examples] == ["First doc\nstill first", "Second doc"]
    assert "split into 2 documents separated by blank lines" in list(map(str, loaded.notes))


def test_a_markdown_file_is_one_document(write):
    loaded = load_dataset(write("# Title\n\nA paragraph.\n\nAnother one.\n", ".md"))
    assert [ex.text for ex in loaded.examples] == ["# Title\n\nA paragraph.\n\nAnother one."]
    assert loaded.source_format == "md" and loaded.kind == "corpus"


def test_jsonl_text_records_are_a_corpus(write):
    loaded = load_dataset(write([{"text": "w1 w2"}, {"text": "w3"}], "jsonl"))
    assert loaded.kind == "corpus" and loaded.format == "text"


def test_a_zip_of_text_and_markdown_files_is_read_in_name_order(write):
    raw = _zip({"b/notes.md": "# B\n\nbody", "a.txt": "w1\nw2\n", "logo.png": "x", "docs/": ""})
    loaded = load_dataset(write(raw, ".zip"))
    assert [ex.text for ex in loaded.examples] == ["w1", "w2", "# B\n\nbody"]
    assert loaded.source_format == "zip"
    assert list(map(str, loaded.warnings)) == [
        "ignored 1 zip entries that are not .txt or .md: 'logo.png'"
    ]


@pytest.mark.parametrize(
    ("entries", "links", "problem"),
    [
        ({"../escape.txt": "x"}, (), "zip entry '../escape.txt' climbs out of the archive"),
        ({"/etc/passwd.txt": "x"}, (), "zip entry '/etc/passwd.txt' has an absolute path"),
        ({"link.txt": "/etc/passwd"}, ("link.txt",), "zip entry 'link.txt' is a symbolic link"),
    ],
)
def test_unsafe_zip_entries_are_refused(write, entries, links, problem):
    with pytest.raises(DataValidationError) as info:
        load_dataset(write(_zip(entries, links), ".zip"))
    assert info.value.errors[0].message.startswith(problem)


def test_zip_limits_on_count_and_unpacked_size(write, monkeypatch):
    monkeypatch.setattr(textfiles, "MAX_ZIP_ENTRIES", 2)
    with pytest.raises(DataValidationError, match="the zip holds 3 files, more than 2"):
        load_dataset(write(_zip({f"{i}.txt": "w1" for i in range(3)}), ".zip"))
    monkeypatch.setattr(textfiles, "MAX_ZIP_BYTES", 100)
    with pytest.raises(DataValidationError, match="the zip unpacks to more than 100 bytes"):
        load_dataset(write(_zip({"big.txt": "w1 " * 200}), ".zip"))


def test_one_long_document_makes_full_blocks_and_loses_no_token(write, word_tokenizer):
    document = " ".join(f"w{i % 50}" for i in range(1000))
    loaded = load_dataset(write(document + "\n", ".txt"))
    blocks = corpus_blocks(loaded.examples, word_tokenizer, 64)
    assert [len(b) for b in blocks] == [64] * 15 + [1001 - 15 * 64]
    stream = [t for b in blocks for t in b.input_ids]
    assert stream == document_ids([document], word_tokenizer)[0]  # every token, in order
    assert stream[-1] == end_of_text_id(word_tokenizer)
    assert all(b.labels == b.input_ids and not b.truncated for b in blocks)


def test_documents_are_separated_by_end_of_text(word_tokenizer):
    from easytune.training.data import Example

    blocks = corpus_blocks([Example(1, text="w1 w2"), Example(2, text="w3")], word_tokenizer, 16)
    tokens = word_tokenizer.convert_ids_to_tokens(blocks[0].input_ids)
    assert tokens == ["w1", "w2", "<|endoftext|>", "w3", "<|endoftext|>"]


def test_training_data_of_a_corpus_is_blocks_with_a_mix_of_chats(write, word_tokenizer, tmp_path):
    document = " ".join(f"w{i % 50}" for i in range(500))
    chats = tmp_path / "chats.jsonl"
    chat = {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}
    chats.write_text(json.dumps(chat) + "\n")
    spec = DataSpec(
        train_path=str(write(document, ".txt")),
        mix_path=str(chats),
        max_length=128,
        eval_fraction=0.0,
        packing=False,
    )
    data = prepare_data(spec, word_tokenizer, batch_size=1, pack=False)
    assert data.truncated == 0 and data.dropped == 0
    assert data.report["kind"] == "corpus" and data.report["blocks"] == 4
    assert data.report["mixed_examples"] == 1 and data.train_examples == 5
    mixed = tokenize_example(load_dataset(chats).examples[0], word_tokenizer, 128)
    rows = [batch["labels"][0].tolist() for batch in data.train.epoch(0)]
    assert mixed.labels in rows  # the chat keeps assistant-only labels
    assert IGNORE_INDEX in mixed.labels
