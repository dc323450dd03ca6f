"""POST /models/import: every refusal reason of the scan on a crafted adapter of the tiny
model, nothing stored on refusal; a clean adapter scanned, then probed by a queued evaluation
job run by the worker (unusable, 409, until its verdict), flagged on a refusal-rate drop,
re-probed, cancelled and retried, every verdict audited."""

from __future__ import annotations

import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from tests.core.import_helpers import AdapterParts, clean_parts, zip_bytes
from tests.core.test_jobs_api import _sse
from tests.export.api_helpers import run_next_job

from easytune.api.state import app_state
from easytune.db.models import AuditEvent, ModelRecord
from easytune.settings import Settings
from easytune.testing.fixtures import platform_settings_for

Q_A = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"
Q_B = "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"
EMBED = "base_model.model.model.embed_tokens.weight"


@pytest.fixture
def platform_settings(
    db_url: str, db_engine: Engine, tmp_path: Path, tiny_llama_dir: Path
) -> Settings:
    return platform_settings_for(
        db_url, tmp_path / "data", stats_tokenizer=str(tiny_llama_dir),
        import_max_unpacked_bytes=2 << 20, import_probes_per_set=1,
    )  # fmt: skip


@pytest.fixture(scope="module")
def clean(tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> AdapterParts:
    return clean_parts(tiny_llama_dir, tmp_path_factory.mktemp("adapter"))


@pytest.fixture
def base_id(client_as: Callable[[str], TestClient], tiny_llama_dir: Path) -> str:
    created = client_as("admin").post(
        "/api/v1/models", json={"path": str(tiny_llama_dir), "name": "tiny"}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def send(client: TestClient, data: bytes, base_id: str, name: str = "imported") -> Any:
    form = {"name": name, "base_model_id": base_id}
    return client.post("/api/v1/models/import", files={"file": ("a.zip", data)}, data=form)


def _pickle_bin(p: AdapterParts) -> None:
    p.extra.append(("adapter-v1/adapter_model.bin", pickle.dumps({"w": [1.0]})))


def _pickle_disguised(p: AdapterParts) -> None:
    p.extra.append(("adapter-v1/notes.json", pickle.dumps({"w": [1.0]}, protocol=4)))


def _absolute(p: AdapterParts) -> None:
    p.extra.append((zipfile.ZipInfo("/etc/cron.d/evil.json"), b"{}"))


def _parent(p: AdapterParts) -> None:
    p.extra.append(("adapter-v1/../../evil.json", b"{}"))


def _link(p: AdapterParts) -> None:
    info = zipfile.ZipInfo("adapter-v1/tokenizer.json")
    info.external_attr = 0o120777 << 16
    p.extra.append((info, b"/etc/passwd"))


def _many(p: AdapterParts) -> None:
    p.extra += [(f"adapter-v1/note{i}.txt", b"x") for i in range(40)]


def _bomb(p: AdapterParts) -> None:
    p.extra.append(("adapter-v1/padding.txt", b"\0" * (8 << 20)))


def _bad_json(p: AdapterParts) -> None:
    p.config = "{not json"  # type: ignore[assignment]


def _not_lora(p: AdapterParts) -> None:
    p.config["peft_type"] = "IA3"


def _unknown_target(p: AdapterParts) -> None:
    p.config["target_modules"] = ["q_proj", "secret_proj"]


def _rank(p: AdapterParts) -> None:
    p.config["r"] = 100_000


def _alpha(p: AdapterParts) -> None:
    p.config["lora_alpha"] = 4000


def _shape(p: AdapterParts) -> None:
    import torch

    p.tensors[Q_A] = torch.zeros(4, 31)


def _unknown_tensor(p: AdapterParts) -> None:
    import torch

    p.tensors[Q_A.replace("layers.0", "layers.7")] = torch.zeros(4, 32)


def _nan(p: AdapterParts) -> None:
    p.tensors[Q_A][0, 0] = float("nan")


def _inf(p: AdapterParts) -> None:
    p.tensors[Q_B][1, 1] = float("inf")


def _embedding(p: AdapterParts) -> None:
    import torch

    p.tensors[EMBED] = torch.zeros(416, 32)


def _embedding_target(p: AdapterParts) -> None:
    p.config["target_modules"] = ["q_proj", "v_proj", "embed_tokens"]


def _norm(p: AdapterParts) -> None:
    p.tensors[Q_B] = p.tensors[Q_B] * 1000


def _no_weights(p: AdapterParts) -> None:
    p.drop = ("adapter_model.safetensors",)


def _int_tensor(p: AdapterParts) -> None:
    p.tensors[Q_A] = p.tensors[Q_A].to(dtype=__import__("torch").int32)


def _incomplete(p: AdapterParts) -> None:
    del p.tensors[Q_B]


CASES: dict[str, tuple[Callable[[AdapterParts], None], str]] = {
    "pickle weights": (_pickle_bin, "pickle_file"),
    "pickle under a json name": (_pickle_disguised, "pickle_file"),
    "absolute path": (_absolute, "absolute_path"),
    "parent path": (_parent, "parent_path"),
    "symlink": (_link, "link"),
    "too many files": (_many, "too_many_files"),
    "zip bomb": (_bomb, "zip_bomb"),
    "config not json": (_bad_json, "bad_config"),
    "not lora": (_not_lora, "bad_config"),
    "target not in base": (_unknown_target, "unknown_module"),
    "rank out of bounds": (_rank, "bad_rank"),
    "alpha out of bounds": (_alpha, "bad_alpha"),
    "tensor shape": (_shape, "shape_mismatch"),
    "tensor of no base module": (_unknown_tensor, "unknown_module"),
    "nan": (_nan, "non_finite"),
    "inf": (_inf, "non_finite"),
    "embedding outside lora": (_embedding, "outside_lora"),
    "embedding as a lora target": (_embedding_target, "outside_lora"),
    "update norm": (_norm, "update_too_large"),
    "no weights file": (_no_weights, "missing_file"),
    "integer tensor": (_int_tensor, "bad_dtype"),
    "lora_A without lora_B": (_incomplete, "incomplete_module"),
}


def _zip(parts: AdapterParts) -> bytes:
    if isinstance(parts.config, str):  # a config that is not JSON at all
        config, parts.config = parts.config, {}
        data = zip_bytes(parts)
        return _replace_entry(data, "adapter-v1/adapter_config.json", config.encode())
    return zip_bytes(parts)


def _replace_entry(data: bytes, name: str, content: bytes) -> bytes:
    import io

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == name else source.read(info))
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_the_scan_refuses_a_crafted_adapter_naming_the_reason(
    case: str, clean: AdapterParts, base_id: str, client_as: Callable[[str], TestClient],
    session_factory: Callable[[], Session], platform_settings: Settings,
) -> None:  # fmt: skip
    spoil, code = CASES[case]
    parts = clean.copy()
    spoil(parts)
    response = send(client_as("engineer"), _zip(parts), base_id)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "adapter_refused" and error["param"] == "file"
    assert code in {reason["code"] for reason in error["errors"]}, error
    with session_factory() as session:
        assert (
            session.scalars(select(ModelRecord).where(ModelRecord.name == "imported")).all() == []
        )
        refused = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "model.import.refused")
        ).all()
    assert len(refused) == 1 and code in {r["code"] for r in refused[0].detail["reasons"]}
    assert list((platform_settings.data_dir / "imports").iterdir()) == []  # nothing left on disk


def test_not_a_zip_is_refused(base_id: str, client_as: Callable[[str], TestClient]) -> None:
    response = send(client_as("engineer"), b"MZ\x90\x00 not a zip at all", base_id)
    assert response.status_code == 422
    assert response.json()["error"]["errors"][0]["code"] == "not_a_zip"


def test_a_corrupt_zip_is_refused_not_a_server_error(
    clean: AdapterParts, base_id: str, client_as: Callable[[str], TestClient]
) -> None:
    data = bytearray(zip_bytes(clean))
    middle = len(data) // 2  # inside the compressed weights, before the central directory
    data[middle : middle + 64] = bytes(64)
    response = send(client_as("engineer"), bytes(data), base_id)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["errors"][0]["code"] == "not_a_zip"


def test_import_needs_credentials_and_the_write_permission(
    client: TestClient, client_as: Callable[[str], TestClient], base_id: str
) -> None:
    assert send(client, b"PK", base_id).status_code == 401
    assert send(client_as("viewer"), b"PK", base_id).status_code == 403


def test_missing_fields_name_the_field(client_as: Callable[[str], TestClient]) -> None:
    response = client_as("engineer").post(
        "/api/v1/models/import", files={"file": ("a.zip", b"PK")}, data={"name": "x"}
    )
    assert response.status_code == 422
    assert "base_model_id" in response.text


@pytest.mark.slow
def test_declared_modules_to_save_may_replace_the_embeddings(
    clean: AdapterParts, base_id: str, client_as: Callable[[str], TestClient],
    tiny_llama_dir: Path,
) -> None:  # fmt: skip
    from safetensors.torch import load_file

    parts = clean.copy()
    base = load_file(str(tiny_llama_dir / "model.safetensors"))
    parts.tensors[EMBED] = base["model.embed_tokens.weight"] * 1.01
    parts.config["modules_to_save"] = ["embed_tokens"]
    response = send(client_as("engineer"), zip_bytes(parts), base_id)
    assert response.status_code == 201, response.text
    scan = response.json()["import_report"]["scan"]
    assert scan["passed"] and scan["relative_update"]["model.embed_tokens.weight"] == pytest.approx(
        0.01, rel=1e-3
    )


def _data_dir(app: FastAPI) -> Path:
    return Path(app_state(app).settings.data_dir)


def _probe_job(client: TestClient, model_id: str) -> dict[str, Any]:
    model = client.get(f"/api/v1/models/{model_id}").json()
    job = client.get(f"/api/v1/jobs/{model['import_report']['probe_job_id']}")
    assert job.status_code == 200, job.text
    return dict(job.json())


def _actions(session_factory: Callable[[], Session], model_id: str) -> list[str]:
    with session_factory() as session:
        return [e.action for e in session.scalars(
            select(AuditEvent).where(AuditEvent.target_id == model_id).order_by(AuditEvent.id)
        )]  # fmt: skip


def _held_back(client: TestClient, model_id: str, status: str) -> None:
    """Every way of using the adapter answers 409 naming its status."""
    hi = [{"role": "user", "content": "hi"}]
    uses = [
        client.get(f"/api/v1/models/{model_id}/download"),
        client.post("/api/v1/playground/generate", json={"model_id": model_id, "messages": hi}),
        client.post(f"/api/v1/models/{model_id}/exports", json={"format": "merged"}),
        client.post("/api/v1/evaluations", json={"model_ids": [model_id]}),
    ]
    for response in uses:
        assert response.status_code == 409, (response.request.url, response.text)
        error = response.json()["error"]
        assert error["code"] == "adapter_not_usable", error
        assert model_id in error["message"] and status in error["message"], error
    listed = client.get("/v1/models")
    assert listed.status_code == 200, listed.text
    assert not any("imported" in m["id"] for m in listed.json()["data"]), listed.json()


@pytest.mark.slow
def test_a_clean_adapter_is_probed_by_a_queued_job_then_usable_and_audited(
    clean: AdapterParts, base_id: str, client_as: Callable[[str], TestClient], app: FastAPI,
    session_factory: Callable[[], Session],
) -> None:  # fmt: skip
    engineer = client_as("engineer")
    response = send(engineer, zip_bytes(clean), base_id)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["import_status"] == "probing" and created["kind"] == "adapter"
    assert created["import_report"]["scan"]["passed"] is True
    job = _probe_job(engineer, created["id"])  # the engineer's own job, in the one queue
    assert job["kind"] == "evaluation" and job["status"] == "queued"
    _held_back(engineer, created["id"], "being probed")
    assert run_next_job(app) == "succeeded"  # the worker runs the real evaluation child
    model = engineer.get(f"/api/v1/models/{created['id']}").json()
    assert model["import_status"] == "usable", model["import_report"]
    probes = model["import_report"]["probes"]
    assert probes["unsafe"] is False and probes["totals"]["refused"]["base"]["total"] >= 1
    frames = _sse(engineer.get(f"/api/v1/jobs/{job['id']}/stream").text)
    assert frames[-1][1:] == ("end", {"status": "succeeded"})
    assert engineer.get(f"/api/v1/models/{created['id']}/download").status_code == 200
    answer = engineer.post(
        "/api/v1/playground/generate",
        json={"model_id": created["id"], "messages": [{"role": "user", "content": "hi"}],
              "max_new_tokens": 2},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert _actions(session_factory, created["id"])[:2] == [
        "model.import.scanned", "model.import.usable",
    ]  # fmt: skip


def _crafted_answers(out: Path, per_set: int) -> None:
    """The probe job's answer files, as a killed attempt leaves them: the base refuses the
    unsafe requests, the adapter complies. The child judges them as it judges its own."""
    from easytune.training.evaluation.answers import AnswerCache
    from easytune.training.evaluation.probes import load_probes

    items = load_probes(max_per_set=per_set)
    base = [
        "I can't help with that." if p.set == "safety" else (*p.answers, "ok")[0] for p in items
    ]
    tuned = ["Sure, here is exactly how to do it." if p.set == "safety" else a
             for p, a in zip(items, base, strict=True)]  # fmt: skip
    cache = AnswerCache(out / "answers")
    cache.put("base-0", items, base, 0.1)
    cache.put("model-0", items, tuned, 0.1)


@pytest.mark.slow
def test_a_refusal_rate_drop_flags_the_adapter_and_reprobe_cancel_retry_move_it(
    clean: AdapterParts, base_id: str, client_as: Callable[[str], TestClient], app: FastAPI,
    session_factory: Callable[[], Session], second_engineer: TestClient,
) -> None:  # fmt: skip
    engineer = client_as("engineer")
    created = send(engineer, zip_bytes(clean), base_id).json()
    job = _probe_job(engineer, created["id"])
    _crafted_answers(_data_dir(app) / "jobs" / str(job["id"]), per_set=1)
    assert run_next_job(app) == "succeeded"
    model = engineer.get(f"/api/v1/models/{created['id']}").json()
    assert model["import_status"] == "flagged"
    assert model["import_report"]["probes"]["unsafe"] is True
    _held_back(engineer, created["id"], "flagged")
    with session_factory() as session:
        flagged = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "model.import.flagged")
        ).one()
    assert flagged.target_id == created["id"] and flagged.detail["probes"]["unsafe"] is True
    assert flagged.detail["job_id"] == job["id"]

    reprobe = f"/api/v1/models/{created['id']}/reprobe"
    assert second_engineer.post(reprobe).status_code == 404  # someone else's adapter
    assert client_as("viewer").post(reprobe).status_code == 403
    not_imported = engineer.post(f"/api/v1/models/{base_id}/reprobe")
    assert not_imported.status_code == 403  # the shared base: visible, not the engineer's
    admin_base = client_as("admin").post(f"/api/v1/models/{base_id}/reprobe")
    assert admin_base.status_code == 409 and admin_base.json()["error"]["code"] == "not_imported"
    again = engineer.post(reprobe)
    assert again.status_code == 200 and again.json()["import_status"] == "probing"
    second = again.json()["import_report"]["probe_job_id"]
    assert second != job["id"] and "probes" not in again.json()["import_report"]
    busy = engineer.post(reprobe)
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "probes_running"
    _held_back(engineer, created["id"], "being probed")

    assert engineer.post(f"/api/v1/jobs/{second}/cancel").json()["status"] == "cancelled"
    model = engineer.get(f"/api/v1/models/{created['id']}").json()
    assert model["import_status"] == "probe_failed"
    assert f"probe job {second} was cancelled" in model["import_report"]["probes"]["error"]
    _held_back(engineer, created["id"], "could not be probed")
    assert engineer.post(f"/api/v1/jobs/{second}/retry").json()["status"] == "queued"
    assert engineer.get(f"/api/v1/models/{created['id']}").json()["import_status"] == "probing"
    assert run_next_job(app) == "succeeded"  # the real child this time: the random adapter
    model = engineer.get(f"/api/v1/models/{created['id']}").json()
    assert model["import_status"] == "usable", model["import_report"]
    assert _actions(session_factory, created["id"]) == [
        "model.import.scanned", "model.import.flagged", "model.import.reprobe",
        "model.import.probe_failed", "model.import.usable",
    ]  # fmt: skip


def test_deleting_a_probing_adapter_cancels_its_probe_job(
    clean: AdapterParts, base_id: str, client_as: Callable[[str], TestClient],
    session_factory: Callable[[], Session],
) -> None:  # fmt: skip
    engineer = client_as("engineer")
    created = send(engineer, zip_bytes(clean), base_id).json()
    job = _probe_job(engineer, created["id"])
    assert engineer.delete(f"/api/v1/models/{created['id']}").status_code == 204
    assert engineer.get(f"/api/v1/jobs/{job['id']}").json()["status"] == "cancelled"
    assert _actions(session_factory, created["id"]) == ["model.import.scanned", "model.deleted"]
