"""The intent engine's errors (PlanError, bad overrides, plans that do not fit), coded.

Chinese templates for the same codes are in easytune/i18n/zh.json.
"""

from __future__ import annotations

from easytune.i18n import template as t

# PlanError
NO_EXAMPLES = t(
    "plan_error.no_examples",
    "the dataset has no usable examples; upload a file with at least one record",
)
MODEL_FACTS = t(
    "plan_error.model_facts",
    "the model facts are incomplete (parameters, hidden size or layers missing); re-register the "
    "base model",
)
DEVICE = t("plan_error.device", "unknown device {device}; expected cpu or cuda")
INVALID_SPEC = t("plan_error.invalid_spec", "the resolved plan is not a valid spec: {error}")
NO_TARGETS = t(
    "plan_error.no_targets",
    "no linear modules known for model type {model_type}; set lora.target_modules in the overrides",
)
KTO_PAIRS = t(
    "plan_error.kto_needs_kto",
    "train.method {method} needs preference pairs, but this dataset holds answers labelled "
    "true/false: use train.method=kto",
)
SFT_PREFERENCE = t(
    "plan_error.sft_preference",
    "train.method sft is the L1-L3 intents' method: choose one of them, or dpo, orpo, simpo or "
    "kto for the preference intent",
)
PINNED_METHOD = t(
    "plan_error.pinned_method",
    "train.method {method} trains preference data: choose intent level 'preference' (with a "
    "dataset of pairs or labelled answers)",
)
NOT_PREFERENCE = t(
    "plan_error.not_preference",
    "the preference intent needs preference pairs ('chosen'/'rejected', or OpenAI's "
    "'preferred_output'/'non_preferred_output') or answers labelled true/false; this dataset is "
    "a {kind} dataset: choose L1, L2, L3 or auto",
)

# OverrideError: one problem per setting
OVERRIDES_ONE = t("override.problems.one", "1 problem in the overrides: {problems}")
OVERRIDES_MANY = t("override.problems", "{count} problems in the overrides: {problems}")
PROBLEM = t("override.problem", "{param}: {problem}")
NOT_OVERRIDABLE = {
    "data.train_path": t(
        "override.fixed.train_path", "the training file comes from the dataset you choose"
    ),
    "data.eval_path": t(
        "override.fixed.eval_path", "the evaluation file comes from the dataset you choose"
    ),
    "data.mix_path": t(
        "override.fixed.mix_path", "the chats mixed in come from the second dataset you choose"
    ),
    "base_model": t("override.fixed.base_model", "the base model comes from the model you choose"),
    "output_dir": t("override.fixed.output_dir", "the output folder is chosen by the platform"),
    "spec_version": t("override.fixed.spec_version", "the spec version is set by the engine"),
    "level": t("override.fixed.level", "set the level in intent.level instead"),
    "retain.cache_dir": t(
        "override.fixed.cache_dir", "the replay cache folder is chosen by the platform"
    ),
}
CANNOT_OVERRIDE = t("override.cannot", "cannot be overridden: {why}")
UNKNOWN_GUESS = t("override.unknown.guess", "unknown setting; did you mean {guess}?")
UNKNOWN_SECTIONS = t(
    "override.unknown.sections", "unknown setting; valid keys start with {sections}"
)
INVALID_VALUE = t("override.invalid", "{error} (got {value})")
# A value of the wrong type or out of range, by pydantic's error type (see overrides.value_problem).
VALUE_PROBLEM = {
    "less_than_equal": t("override.value.le", "must be at most {le}"),
    "less_than": t("override.value.lt", "must be less than {lt}"),
    "greater_than_equal": t("override.value.ge", "must be at least {ge}"),
    "greater_than": t("override.value.gt", "must be greater than {gt}"),
    "int_parsing": t("override.value.int", "must be a whole number"),
    "int_type": t("override.value.int", "must be a whole number"),
    "int_from_float": t("override.value.int", "must be a whole number"),
    "float_parsing": t("override.value.number", "must be a number"),
    "float_type": t("override.value.number", "must be a number"),
    "finite_number": t("override.value.finite", "must be a finite number"),
    "bool_parsing": t("override.value.bool", "must be true or false"),
    "bool_type": t("override.value.bool", "must be true or false"),
    "string_type": t("override.value.string", "must be text"),
    "list_type": t("override.value.list", "must be a list"),
    "dict_type": t("override.value.dict", "must be an object"),
    "literal_error": t("override.value.choice", "must be one of {expected}"),
    "enum": t("override.value.choice", "must be one of {expected}"),
    "too_short": t("override.value.too_short", "needs at least {min_length} item(s)"),
    "too_long": t("override.value.too_long", "takes at most {max_length} item(s)"),
    "string_too_short": t(
        "override.value.string_too_short", "needs at least {min_length} character(s)"
    ),
    "string_too_long": t("override.value.string_too_long", "takes at most {max_length} characters"),
}
QLORA_CPU = t(
    "override.qlora_cpu",
    "QLoRA needs a CUDA GPU and bitsandbytes; remove lora.quantization or run on a GPU worker",
)
QLORA_BNB = t(
    "override.qlora_bnb",
    "QLoRA needs bitsandbytes, which this GPU worker lacks; install it (pip install "
    "bitsandbytes) or remove lora.quantization",
)
PRECISION_GPU = t(
    "override.precision_gpu", "{wanted} is not supported by this GPU; use one of {allowed}"
)
PRECISION_CPU = t(
    "override.precision_cpu", "{wanted} is not supported by CPU training; use one of {allowed}"
)
NO_CUDA = t(
    "override.no_cuda", "this worker has no CUDA GPU; use auto or cpu, or run on a GPU worker"
)
PROCESSES_GPU = t(
    "override.processes_gpu",
    "{wanted} processes, but this worker has {count} GPU(s): use at most {most} (one process "
    "per GPU), or run on a worker with more GPUs",
)
PROCESSES_CPU = t(
    "override.processes_cpu",
    "{wanted} processes, but this worker has {count} CPU cores: use at most {most} (one process "
    "per GPU), or run on a worker with more GPUs",
)
TARGETS = t(
    "override.targets",
    "{unknown} not found in this {model_type} model; its linear layers are {known}",
)
MAX_LENGTH = t("override.max_length", "{length} is beyond this model's limit of {limit} tokens")
CF_THRESHOLDS = t(
    "override.cf_thresholds",
    "{stop} is not above the warning threshold {warn}; the job would stop before it ever warned",
)
KL_WITHOUT_REPLAY = t(
    "override.kl_without_replay",
    "the KL anchor works on replayed answers, and retain.replay_ratio=0 replays none; raise "
    "retain.replay_ratio or set retain.kl_weight=0",
)

# PlanDoesNotFit
DOES_NOT_FIT = t(
    "plan_error.does_not_fit",
    "this plan needs about {peak} per device but the budget is {budget} ({how}), even with "
    "micro-batch {micro}, gradient checkpointing {checkpointing}, quantization {quantization}, "
    "max_length {length}. What would fit: {ideas}",
)
IDEA_UNPIN = t(
    "fit.idea.unpin",
    "remove your override {path}={value} (batch {micro}, checkpointing {checkpointing}, "
    "quantization {quantization}, max_length {length} fits in {peak})",
)
IDEA_CUDA = t(
    "fit.idea.cuda",
    "run on a CUDA GPU worker with at least {card} (QLoRA, batch 1, gradient checkpointing: "
    "about {need})",
)
IDEA_BNB = t(
    "fit.idea.bnb",
    "install bitsandbytes on this worker for 4-bit QLoRA (needs about {need}), or use a GPU with "
    "more memory",
)
IDEA_BIGGER_GPU = t(
    "fit.idea.bigger_gpu", "a GPU with at least {card} (QLoRA, batch 1, gradient checkpointing)"
)
IDEA_SMALLER = t("fit.idea.smaller", "or a smaller base model")
