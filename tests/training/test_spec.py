import json

import pytest
from pydantic import ValidationError

from easytune.training.spec import DataSpec, LoraSpec, ModelRef, TrainSpec


def _spec(**kw: object) -> TrainSpec:
    return TrainSpec(
        base_model=ModelRef(path="m"),
        data=DataSpec(train_path="d.jsonl"),
        lora=LoraSpec(target_modules=["q_proj"]),
        output_dir="out",
        **kw,
    )


def test_spec_round_trips_through_json(tmp_path):
    spec = _spec()
    path = tmp_path / "spec.json"
    spec.dump(path)
    assert TrainSpec.load(path) == spec
    assert json.loads(path.read_text())["spec_version"] == 1


def test_spec_refuses_unknown_fields_and_versions():
    with pytest.raises(ValidationError, match="spec_version 99"):
        _spec(spec_version=99)
    with pytest.raises(ValidationError, match="extra"):
        _spec(colour="blue")
