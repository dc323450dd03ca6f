"""One error base: the errors of training, intent, jobs and core all render through the API's
one handler with their own status and code, in the one body shape."""

from __future__ import annotations

import json

import pytest

from easytune.api.ops.errors import render_error
from easytune.core.errors import Conflict, NotFound
from easytune.errors import EasyTuneError
from easytune.intent import PlanDoesNotFit, PlanError
from easytune.jobs.errors import InvalidTransition, JobNotFound
from easytune.training.errors import ERROR_CLASSES, BadSpecError

CASES = [
    (PlanError("no dataset", param="dataset_id"), 422, "plan_error", "no dataset"),
    (
        PlanDoesNotFit("needs 9 GB", 9, 8, ["lower data.max_length", "use QLoRA"]),
        422,
        "plan_does_not_fit",
        "needs 9 GB; try: lower data.max_length; use QLoRA",
    ),
    (InvalidTransition("job 3 is already succeeded", param="id"), 409, "conflict", None),
    (JobNotFound("job 4 does not exist"), 404, "not_found", None),
    (BadSpecError("lora.r must be positive", param="lora.r"), 500, "bad_spec", None),
    (Conflict("taken", param="username"), 409, "conflict", None),
    (NotFound("no model"), 404, "not_found", None),
]


@pytest.mark.parametrize(("error", "status", "code", "message"), CASES)
def test_every_layer_renders_in_the_one_shape(
    error: EasyTuneError, status: int, code: str, message: str | None
) -> None:
    response = render_error(error)
    body = json.loads(bytes(response.body))
    assert response.status_code == status
    assert body == {
        "error": {"code": code, "message": message or error.message, "param": error.param}
    }


def test_engine_errors_keep_their_codes_and_exit_statuses() -> None:
    assert all(issubclass(cls, EasyTuneError) for cls in ERROR_CLASSES)
    assert len({cls.code for cls in ERROR_CLASSES}) == len(ERROR_CLASSES)
    assert len({cls.exit_code for cls in ERROR_CLASSES}) == len(ERROR_CLASSES)
