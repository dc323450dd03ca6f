"""The data check's notes and warnings, as coded English templates.

Chinese templates for the same codes are in easytune/i18n/zh.json.
"""

from __future__ import annotations

from easytune.i18n import template as t

CORPUS = t(
    "data.corpus",
    "a text corpus: {examples} documents ({tokens} tokens with an end-of-text after each) are "
    "joined and cut into {blocks} blocks of {length} tokens; every token is trained and none is "
    "truncated",
)
TOO_LONG = t(
    "data.too_long",
    "{over} of {n} examples are longer than max_length={length} and will be cut; raise "
    "max_length or shorten them",
)
DUPLICATES = t("data.duplicates", "{duplicates} duplicate examples; they weigh those examples more")
LEAKAGE = t(
    "data.leakage",
    "{leakage} eval examples also appear in train; eval loss will look better than it is",
)
LITTLE_DATA = t(
    "little_data",
    "only {examples} examples{answers}: too little to teach much. The plan makes up for it with "
    "a small batch and more epochs (up to 10, at least 30 steps), which can make the model "
    "repeat these examples word for word; {min} or more examples with full answers work better",
)
LITTLE_ANSWERS = t("little_data.answers", " with answers of about {tokens} tokens")

# How the loader read the file (the data check's notes).
READ_AS = t("data.read_as", "read as {source}")
JSON_IS_JSONL = t(
    "data.json_is_jsonl", "the .json file holds one JSON object per line; read it as JSONL"
)
JSONL_IS_JSON = t("data.jsonl_is_json", "the .jsonl file holds one JSON array; read it as JSON")
RECORDS_FROM = t("data.records_from", "records read from the object's '{key}' list")
TEXT_CORPUS = t(
    "data.text_corpus", "format 'text': a .{source} file is a corpus of plain-text documents"
)
DETECTED = t(
    "data.detected",
    "detected format '{format}' ({summary}): {votes} of {checked} records checked have {keys}",
)
SPLIT_LINES = t(
    "data.split_lines",
    "split into one document per line ({documents}): the file has no blank lines",
)
SPLIT_BLANK = t("data.split_blank", "split into {documents} documents separated by blank lines")
SPLIT_EMPTY = t("data.split_empty", "split into no text")
MARKDOWN_ONE = t(
    "data.markdown_one",
    "one document: a Markdown file's blank lines separate paragraphs, not documents",
)
ZIP_READ = t(
    "data.zip_read",
    "read {files} text/Markdown file(s) from the zip: each Markdown file is one document, each "
    ".txt file is split like a .txt upload",
)
KIND = t(
    "data.kind", "this is a {title} file ({shape}; {hits} of {checked} records checked): {trains}"
)
KIND_TITLE = {
    "preference": t("data.kind.preference", "preference-pair (DPO/ORPO/SimPO)"),
    "kto": t("data.kind.kto", "KTO (labelled answers)"),
}
KIND_TRAINS = {
    "preference": t(
        "data.kind.preference.trains",
        "the `preference` intent trains DPO on it (ORPO and SimPO as plan options); the L1-L3 "
        "intents train the chosen answers only",
    ),
    "kto": t(
        "data.kind.kto.trains",
        "the `preference` intent trains KTO on it (answers labelled false are pushed down, never "
        "trained as targets); the L1-L3 intents train the true ones only",
    ),
}
SHAPE_OPENAI_PAIR = t(
    "data.shape.openai_pair",
    "OpenAI preference fine-tuning JSONL: 'input', 'preferred_output', 'non_preferred_output'",
)
SHAPE_SHAREGPT_PAIR = t(
    "data.shape.sharegpt_pair", "ShareGPT 'conversations' with a 'chosen' and a 'rejected' answer"
)
SHAPE_MESSAGES_PAIR = t(
    "data.shape.messages_pair", "OpenAI 'messages' with a 'chosen' and a 'rejected' answer"
)
SHAPE_PROMPT_PAIR = t("data.shape.prompt_pair", "a prompt with a 'chosen' and a 'rejected' answer")
SHAPE_KTO = t("data.shape.kto", "answers labelled good or bad ({good} true, {bad} false)")

# What training will ignore (the data check's warnings).
IN_RECORDS = t("data.in_records", "'{field}' in {count} record(s)")
IN_TURNS = t("data.in_turns", "'{field}' in {count} turn(s)")
MULTIMODAL = t(
    "data.multimodal",
    "multimodal file: {fields}; EasyTune trains text only, so these are ignored and the model "
    "sees only the text (placeholders such as '<image>' stay in it)",
)
IGNORED_FIELDS = t("data.ignored_fields", "ignored fields: {fields}; training reads only {known}")
MEDIA_PARTS = t(
    "data.media_parts",
    "multimodal content parts dropped: {parts}; EasyTune trains text only, so only the 'text' "
    "parts of those turns are kept",
)
ZIP_SKIPPED = t("data.zip_skipped", "ignored {count} zip entries that are not .txt or .md: {names}")

# The fields a record of each format needs (formats.py refuses a format missing here).
FORMAT_SUMMARY = {
    "openai": t("data.format.openai", "role: system|user|assistant, content"),
    "sharegpt": t("data.format.sharegpt", "from: system|human|gpt, value"),
    "alpaca": t("data.format.alpaca", "instruction, optional input, output, optional system"),
    "text": t("data.format.text", "text"),
}
# ... and a preference file's (its records are pairs in either chat format).
PAIR_SUMMARY = t(
    "data.format.pairs",
    "a prompt ('messages' or 'conversations') with a 'chosen' and a 'rejected' answer, or "
    "'input', 'preferred_output' and 'non_preferred_output'",
)

# `easytune data check`'s summary lines.
CHECK_SUMMARY = t(
    "data.check.summary", "{examples} examples, format {format}, kind {kind} ({source} file)"
)
CHECK_TOKENS = t(
    "data.check.tokens",
    "tokens: total {total}, p50 {p50}, p95 {p95}, max {max}; truncated at {length}: "
    "{truncated}; duplicates {duplicates}; languages {languages}",
)
