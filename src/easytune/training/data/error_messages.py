"""The data check's line errors, as coded English templates: where, what is wrong, the fix.

An error is a problem (PROBLEM) and, when there is one, its fix (FIX), joined by WITH_FIX and
prefixed with where it is (WHERE); field names, JSON type names, counts and file names are
parameters, never translated. Chinese templates for the same codes are in easytune/i18n/zh.json.
"""

from __future__ import annotations

import json

from easytune.i18n import TEXT, Msg
from easytune.i18n import template as t

# Where: the unit a reader counts in (line of JSONL/txt, record of JSON/Parquet/zip, CSV row).
WHERE = {
    "line": t("data.where.line", "line {line}: {problem}"),
    "record": t("data.where.record", "record {line}: {problem}"),
    "row": t("data.where.row", "row {line}: {problem}"),
}
WITH_FIX = t("data.with_fix", "{problem}; {fix}")  # the web shows the two in their own columns

# The file as a whole.
EMPTY_FILE = t("data.error.empty_file", "the file is empty")
NO_RECORDS = t("data.error.no_records", "the file has no records")
UNSUPPORTED = t("data.error.unsupported", "unsupported file type '{suffix}'")
NO_FORMAT = t(
    "data.error.no_format", "could not detect the dataset format from the record keys {keys}"
)
FORMAT_ENTRY = t("data.error.format_entry", "{format} ({summary})")
BAD_PARQUET = t("data.error.bad_parquet", "the file is not a readable Parquet file ({error})")
BAD_ZIP = t("data.error.bad_zip", "the file is not a readable zip archive ({error})")
ZIP_TOO_MANY = t("data.error.zip_too_many", "the zip holds {files} files, more than {limit}")
ZIP_TOO_BIG = t("data.error.zip_too_big", "the zip unpacks to more than {limit} bytes")
ZIP_ABSOLUTE = t("data.error.zip_absolute", "zip entry {name} has an absolute path")
ZIP_CLIMBS = t("data.error.zip_climbs", "zip entry {name} climbs out of the archive with '..'")
ZIP_LINK = t("data.error.zip_link", "zip entry {name} is a symbolic link")
ZIP_ENCRYPTED = t("data.error.zip_encrypted", "zip entry {name} is encrypted")
ZIP_NOT_UTF8 = t("data.error.zip_not_utf8", "zip entry {name} is not valid UTF-8")

# Bytes, JSON syntax and CSV cells.
NOT_UTF8 = t("data.error.not_utf8", "not valid UTF-8 (byte {byte} at byte offset {offset})")
BAD_JSON = t("data.error.bad_json", "invalid JSON at column {column} ({reason})")
NOT_ARRAY = t(
    "data.error.not_array",
    "expected a JSON array of records or an object with a 'data' list, got {got}",
)
NOT_ARRAY_OBJECT = t(
    "data.error.not_array_object",
    "expected a JSON array of records or an object with a 'data' list, got object {keys}",
)
RAGGED_ROW = t("data.error.ragged_row", "has {cells} cells but the header has {columns} columns")
BAD_CELL = t("data.error.bad_cell", "'{field}' cell is not valid JSON (column {column}: {reason})")

# Why json could not read it: json's own reasons (its English is the template), by text.
JSON_REASONS = {
    reason.english: reason
    for reason in (
        t("data.json.expecting_value", "Expecting value"),
        t("data.json.property_name", "Expecting property name enclosed in double quotes"),
        t("data.json.colon", "Expecting ':' delimiter"),
        t("data.json.comma", "Expecting ',' delimiter"),
        t("data.json.unterminated", "Unterminated string starting at"),
        t("data.json.control", "Invalid control character at"),
        t("data.json.escape", "Invalid \\escape"),
        t("data.json.unicode_escape", "Invalid \\uXXXX escape"),
        t("data.json.extra_data", "Extra data"),
        t("data.json.comma_object", "Illegal trailing comma before end of object"),
        t("data.json.comma_array", "Illegal trailing comma before end of array"),
    )
}

# A record's fields.
NOT_OBJECT = t("data.error.not_object", "expected an object with fields, got {type}")
MISSING_FIELD = t("data.error.missing_field", "missing '{field}' field")
NOT_STRING = t("data.error.not_string", "'{field}' must be a string, got {type}")
EMPTY_FIELD = t("data.error.empty_field", "'{field}' is empty")
HISTORY = t("data.error.history", "'history' must be a list of [user, assistant] string pairs")
NOT_TURNS = t("data.error.not_turns", "'{field}' must be a non-empty list of turns, got {got}")
EMPTY_TURNS = t(
    "data.error.empty_turns", "'{field}' must be a non-empty list of turns, got an empty list"
)

# A chat's turns.
TURN_NOT_OBJECT = t(
    "data.error.turn_not_object",
    "turn {turn} must be an object with '{role_key}' and '{content_key}', got {type}",
)
TURN_NO_KEY = t("data.error.turn_no_key", "turn {turn} has no '{key}'")  # role or content
TURN_UNKNOWN_ROLE = t("data.error.turn_unknown_role", "turn {turn} has unknown role '{role}'")
TURN_CONTENT_TYPE = t("data.error.turn_content_type", "turn {turn} has a {type} as '{key}'")
TURN_EMPTY = t("data.error.turn_empty", "turn {turn} has empty '{key}'")
ONLY_MEDIA = t("data.error.only_media", "turn {turn} has only media content parts and no text")
PART_NOT_OBJECT = t(
    "data.error.part_not_object",
    "turn {turn} content part {part} must be an object like {example}, got {type}",
)
PART_TYPE = t("data.error.part_type", "turn {turn} content part {part} has type {kind}")
PART_NO_TEXT = t(
    "data.error.part_no_text", "turn {turn} content part {part} is a text part with {has}"
)
PART_HAS_TYPE = t("data.error.part_has_type", "a {type} under 'text'")
PART_HAS_KEYS = t("data.error.part_has_keys", "the keys {keys}")
LATE_SYSTEM = t(
    "data.error.late_system", "turn {turn} is a system turn after the conversation started"
)
NO_ASSISTANT = t("data.error.no_assistant", "no assistant turn")

# Tool calls.
TOOLS_NOT_LIST = t(
    "data.error.tools_not_list",
    "'tools' must be a list of function schemas (or that list as JSON)",
)
TOOL_NO_NAME = t(
    "data.error.tool_no_name", "every tool in 'tools' needs a 'name' (a function schema)"
)
CALLS_NOT_LIST = t(
    "data.error.calls_not_list",
    "turn {turn} has 'tool_calls' that is not a non-empty list of calls",
)
CALL_NO_NAME = t("data.error.call_no_name", "turn {turn} has a tool call without a 'name'")
CALL_ARGUMENTS = t(
    "data.error.call_arguments",
    "turn {turn} calls '{name}' with arguments that are not a JSON object",
)
RESULT_WITHOUT_CALL = t(
    "data.error.result_without_call", "turn {turn} is a tool result with no tool call before it"
)

# Preference and KTO records.
NOT_LABEL = t("data.error.not_label", "'label' must be true or false, got {type}")
LAST_NOT_ANSWER = t(
    "data.error.last_not_answer", "the last turn must be the assistant answer the label judges"
)
PAIR_SHAPE = t(
    "data.error.pair_shape",
    "needs 'chosen' and 'rejected' next to 'messages' or 'conversations', or 'input', "
    "'preferred_output' and 'non_preferred_output'",
)
PROMPT_NOT_USER = t(
    "data.error.prompt_not_user", "'{field}' must end with the user turn both answers reply to"
)
PROMPT_NOT_TURNS = t(
    "data.error.prompt_not_turns",
    "'{field}' must hold the conversation so far as a non-empty list of turns",
)
NOT_ANSWER = t(
    "data.error.not_answer", "'{field}' must be one assistant answer (text, or a message with it)"
)

# Fixes: how to put it right.
UPLOAD_RECORDS = t("data.fix.upload_records", "upload a file with at least one record")
ADD_EXAMPLE = t("data.fix.add_example", "add at least one example")
SAVE_AS = t("data.fix.save_as", "save it as one of {suffixes}")
USE_FORMAT = t("data.fix.use_format", "use one of: {formats}, or name the format explicitly")
EXPORT_PARQUET = t("data.fix.export_parquet", "export it again with pyarrow or pandas.to_parquet")
ZIP_AGAIN = t("data.fix.zip_again", "zip it again")
JOIN_OR_SPLIT = t("data.fix.join_or_split", "join small documents or split the archive")
SPLIT_ZIP = t("data.fix.split_zip", "split it into smaller archives")
RELATIVE_PATHS = t("data.fix.relative_paths", "zip plain files under relative paths")
RESAVE_ENTRY = t("data.fix.resave_entry", "re-save it as UTF-8")
RESAVE_UTF8 = t("data.fix.resave_utf8", "re-save the file as UTF-8")
LOOKS_GBK = t(
    "data.fix.looks_gbk",
    "the file looks GBK/GB18030-encoded; re-save it as UTF-8 "
    "(e.g. iconv -f GB18030 -t UTF-8 in.jsonl > out.jsonl)",
)
JSON_SYNTAX = t(
    "data.fix.json_syntax", "fix the syntax there (a .json file holds one array of records)"
)
JSONL_LINE = t("data.fix.jsonl_line", "each line must be one complete JSON object")
WRAP_RECORDS = t("data.fix.wrap_records", "wrap the records in [ ... ]")
QUOTE_CELLS = t("data.fix.quote_cells", "quote cells that contain commas or line breaks")
CELL_JSON = t("data.fix.cell_json", "put the list in the cell as JSON")
NEEDS_FIELDS = t("data.fix.needs_fields", "each {format} record needs {summary}")
NEEDS_ALPACA = t("data.fix.needs_alpaca", "each Alpaca record needs 'instruction' and 'output'")
NEEDS_TEXT = t("data.fix.needs_text", "each plain-text record needs a 'text' field")
NEEDS_TURNS = t(
    "data.fix.needs_turns", "each {format} record needs '{field}': a list of turns ({summary})"
)
OPTIONAL_TEXT = t("data.fix.optional_text", "'{field}' is optional text")
WRITE_OR_REMOVE = t("data.fix.write_or_remove", "write the text or remove the record")
FIX_OR_REMOVE = t("data.fix.fix_or_remove", "fix it or remove the field")
ROLES = {
    "openai": t(
        "data.fix.roles.openai",
        "use role 'system', 'user' or 'assistant' (or 'tool' for a tool's result)",
    ),
    "sharegpt": t(
        "data.fix.roles.sharegpt",
        "use from 'system', 'human' or 'gpt' (or 'function_call' / 'observation')",
    ),
}
TEXT_AS_STRING = t("data.fix.text_as_string", "each turn needs its text as a string")
WRITE_OR_REMOVE_TURN = t("data.fix.write_or_remove_turn", "write the text or remove the turn")
ADD_TEXT_PART = t("data.fix.add_text_part", "add a 'text' part")
TEXT_PARTS_LOOK = t("data.fix.text_parts_look", "text parts look like {example}")
TEXT_UNDER_TEXT = t(
    "data.fix.text_under_text", "put its text under 'text' as a string, like {example}"
)
SYSTEM_FIRST = t("data.fix.system_first", "put the system prompt first")
NEEDS_ASSISTANT = t(
    "data.fix.needs_assistant",
    "each conversation needs at least one assistant reply to learn from",
)
WRITE_CALL = t("data.fix.write_call", "write it like {example}")
WRITE_ARGUMENTS = t("data.fix.write_arguments", "write them like {example}")
CALL_FIRST = t("data.fix.call_first", "put the assistant's call (function_call / tool_calls) first")
LABEL_SAYS = t(
    "data.fix.label_says",
    "each record of a KTO file says whether its answer is good (true) or bad (false)",
)

# The summary of a refused file (the CLI's and the exception's text).
SUMMARY = t("data.errors.summary", "dataset has {count} problem(s){more}:")
SUMMARY_MORE = t("data.errors.stopped", " (stopped counting at this limit)")
SUMMARY_REST = t("data.errors.rest", "... and {count} more")


def json_reason(exc: json.JSONDecodeError) -> Msg:
    """Why json refused the text: one of its known reasons coded, else its own words."""
    known = JSON_REASONS.get(exc.msg)
    return known() if known else TEXT(text=exc.msg)


def located(unit: str, line: int, problem: Msg, fix: Msg | None = None) -> Msg:
    """Where (none for line 0, the file as a whole), what is wrong and the fix if there is one."""
    said = WITH_FIX(problem=problem, fix=fix) if fix is not None else problem
    return WHERE[unit](line=line, problem=said) if line > 0 else said
