"""An adapter download: a safe ASCII name, a real model card, the lineage files, and an
adapter_config.json that names the base model portably (not by this server's path)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import gguf
from fastapi import FastAPI
from tests.core.conftest import job_body, save_tiny_adapter
from tests.core.test_jobs_api import _run_to_success

from easytune.api.state import app_state
from easytune.core.adapter_package import ascii_slug
from easytune.core.base_reference import base_reference
from easytune.db.models import ModelKind, ModelRecord, Visibility

NAME = "SmolLM2-135M-Instruct · Pirate style (demo)"
LINEAGE = {
    "train_spec.json": None,  # filled from the job's spec
    "metrics.json": {"steps": 52, "train_loss": 2.2, "eval_loss": 2.19, "tokens_seen": 9000},
    "cf_report.json": {"warn_threshold": 0.1, "reference": "builtin",
                       "history": [{"step": 52, "score": 0.33, "ppl_ratio": 0.86, "kl": 0.33}]},
    "data_report.json": {"stats": {"format": "openai", "examples": 161, "total_tokens": 12000}},
}  # fmt: skip


def _download(client_as: Any, registered: dict[str, str], app: FastAPI, tiny: Path) -> Any:
    engineer = client_as("engineer")
    job = engineer.post("/api/v1/jobs", json=job_body(registered, name=NAME)).json()
    out = Path(app_state(app).settings.data_dir) / "jobs" / str(job["id"])
    adapter = save_tiny_adapter(tiny, out / "adapter")
    assert "[More Information Needed]" in (adapter / "README.md").read_text()  # PEFT's template
    for name, data in LINEAGE.items():
        (out / name).write_text(json.dumps(data if data is not None else job["spec"]))
    _run_to_success(app, adapter)
    model_id = engineer.get(f"/api/v1/jobs/{job['id']}").json()["result"]["adapter_model_id"]
    response = engineer.get(f"/api/v1/models/{model_id}/download")
    assert response.status_code == 200, response.text
    return response


def test_the_zip_has_a_card_lineage_and_a_portable_base(
    client_as: Any, registered: dict[str, str], app: FastAPI, tiny_llama_dir: Path
) -> None:
    response = _download(client_as, registered, app, tiny_llama_dir)
    disposition = response.headers["content-disposition"]
    root = "SmolLM2-135M-Instruct-Pirate-style-demo-v1"
    assert f'filename="{root}.zip"' in disposition
    assert "filename*=UTF-8''SmolLM2-135M-Instruct%20%C2%B7%20Pirate" in disposition
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        files = {n.removeprefix(f"{root}/"): archive.read(n) for n in archive.namelist()}
    assert set(LINEAGE) | {"README.md", "adapter_config.json", "adapter_model.safetensors"} <= set(
        files
    )
    card = files["README.md"].decode()
    assert "[More Information Needed]" not in card
    dataset = client_as("engineer").get(f"/api/v1/datasets/{registered['dataset']}").json()
    for expected in ("base_model: tiny", dataset["sha256"], dataset["name"], "| level | L1 |",
                     "| eval loss | 2.19 |", "| score | 0.33 |", "PeftModel.from_pretrained",
                     "vllm serve tiny", "llama-cli", "convert_lora_to_gguf.py"):  # fmt: skip
        assert expected in card, expected
    config = json.loads(files["adapter_config.json"])
    assert config["base_model_name_or_path"] == "tiny"  # the registered name; not a server path
    assert str(tiny_llama_dir) not in files["adapter_config.json"].decode()


def test_ascii_slug_folds_accents_and_drops_everything_else() -> None:
    assert ascii_slug(NAME) == "SmolLM2-135M-Instruct-Pirate-style-demo"
    assert ascii_slug("Café déjà vu") == "Cafe-deja-vu"
    assert ascii_slug("海盗/../风格") == ""


def test_a_gguf_base_is_named_by_its_repo_with_quantisation_and_hash(tmp_path: Path) -> None:
    file = tmp_path / "SmolLM2-135M-Instruct.Q4_1.gguf"
    writer = gguf.GGUFWriter(str(file), "llama")
    writer.add_string("general.organization", "HuggingFaceTB")
    writer.add_uint32("general.file_type", int(gguf.LlamaFileType.MOSTLY_Q4_1))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    record = ModelRecord(id="mdl_x", kind=ModelKind.BASE, name="SmolLM2-135M-Instruct",
                         version=1, path=str(tmp_path), gguf_file=file.name,
                         visibility=Visibility.SHARED)  # fmt: skip
    ref = base_reference(record)
    assert ref.name == "HuggingFaceTB/SmolLM2-135M-Instruct" and ref.quantization == "Q4_1"
    assert ref.weights_file == file.name and ref.weights_sha256 and len(ref.weights_sha256) == 64


def test_a_hub_cache_folder_is_named_by_repo_and_revision(tmp_path: Path) -> None:
    folder = tmp_path / "models--org--name" / "snapshots" / ("ab12" * 10)
    folder.mkdir(parents=True)
    record = ModelRecord(id="mdl_y", kind=ModelKind.BASE, name="local", version=1,
                         path=str(folder), visibility=Visibility.SHARED)  # fmt: skip
    ref = base_reference(record)
    assert (ref.name, ref.revision) == ("org/name", "ab12" * 10)


def test_a_quantisation_suffix_is_dropped_from_a_registered_gguf_name(tmp_path: Path) -> None:
    record = ModelRecord(id="m", kind=ModelKind.BASE, name="Qwen2.5-0.5B-Instruct.IQ4_XS",
                         version=1, path=str(tmp_path), gguf_file="missing.gguf",
                         visibility=Visibility.SHARED)  # fmt: skip
    assert base_reference(record).name == "Qwen2.5-0.5B-Instruct"
