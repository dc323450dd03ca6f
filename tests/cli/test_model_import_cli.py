"""`easytune models import-adapter` and `reprobe`: the same scan, and the same queued probe job
(run here through the queue, or left to `easytune worker --burst`), from the server's shell."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from tests.core.import_helpers import AdapterParts, clean_parts, zip_bytes

from easytune.cli import main
from easytune.db import make_session_factory
from easytune.db.models import AuditEvent, ModelRecord
from easytune.testing.fixtures import TEST_SECRET_KEY


@pytest.fixture(scope="module")
def clean(tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> AdapterParts:
    return clean_parts(tiny_llama_dir, tmp_path_factory.mktemp("adapter"))


@pytest.fixture
def cli_env(db_url: str, db_engine: Engine, tmp_path: Path) -> dict[str, str]:
    return {
        "EASYTUNE_DATABASE_URL": db_url, "EASYTUNE_DATA_DIR": str(tmp_path / "data"),
        "EASYTUNE_SECRET_KEY": TEST_SECRET_KEY, "EASYTUNE_ARGON2_TIME_COST": "1",
        "EASYTUNE_ARGON2_MEMORY_KIB": "8", "EASYTUNE_ARGON2_PARALLELISM": "1",
        "EASYTUNE_IMPORT_PROBES_PER_SET": "1",
    }  # fmt: skip


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


@pytest.mark.slow
def test_the_cli_refuses_with_reasons_and_imports_a_clean_adapter(
    cli_env: dict[str, str], db_engine: Engine, tiny_llama_dir: Path, clean: AdapterParts,
    tmp_path: Path,
) -> None:  # fmt: skip
    code, out = _run(cli_env, "user", "create", "alice", "--role", "engineer",
                     "--password", "a long cli passphrase")  # fmt: skip
    assert code == 0, out
    code, out = _run(cli_env, "models", "import", str(tiny_llama_dir), "--name", "tiny")
    assert code == 0, out
    base_id = re.search(r"as (mdl_\w+)", out).group(1)  # type: ignore[union-attr]
    spoiled = clean.copy()
    spoiled.tensors = {k: v * 1000 if "lora_B" in k else v for k, v in spoiled.tensors.items()}
    bad, good = tmp_path / "bad.zip", tmp_path / "good.zip"
    bad.write_bytes(zip_bytes(spoiled))
    good.write_bytes(zip_bytes(clean))

    code, out = _run(cli_env, "models", "import-adapter", str(bad), "--name", "bad",
                     "--base", base_id, "--owner", "alice")  # fmt: skip
    assert code == 1 and "refused: [update_too_large]" in out, out
    code, out = _run(cli_env, "models", "import-adapter", str(good), "--name", "good",
                     "--base", base_id, "--owner", "alice")  # fmt: skip
    assert code == 0 and out.strip().endswith(": usable"), out
    first = re.search(r"probe job (\d+) queued", out).group(1)  # type: ignore[union-attr]
    assert f"probe job {first}: succeeded" in out, out  # run here through the queue
    good_id = re.search(r"as (mdl_\w+)", out).group(1)  # type: ignore[union-attr]

    code, out = _run(cli_env, "models", "reprobe", good_id, "--no-wait")
    second = re.search(r"probe job (\d+) queued", out).group(1)  # type: ignore[union-attr]
    assert code == 0 and out.strip().endswith(f"(an `easytune worker` runs job {second})"), out
    code, out = _run(cli_env, "models", "reprobe", good_id)
    assert code == 1 and f"already queued (job {second})" in out, out
    code, out = _run(cli_env, "worker", "--burst")  # the worker runs the queued probe job
    assert code == 0, out

    with make_session_factory(db_engine)() as session:
        models = {m.name: m.import_status for m in session.scalars(select(ModelRecord))}
        actions = [(e.action, e.detail["via"]) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action.startswith("model.")).order_by(AuditEvent.id)
        )]  # fmt: skip
    assert models == {"tiny": None, "good": "usable"}
    assert actions == [
        ("model.registered", "cli"), ("model.import.refused", "cli"),
        ("model.import.scanned", "cli"), ("model.import.usable", "import-probe"),
        ("model.import.reprobe", "cli"), ("model.import.usable", "import-probe"),
    ]  # fmt: skip
