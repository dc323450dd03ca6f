"""The events the training engine and the exporter write, as coded English templates.

Chinese templates for the same codes are in easytune/i18n/zh.json.
"""

from __future__ import annotations

from easytune.i18n import template as t

MODEL_LOADED = t("train.model_loaded", "model loaded")
NO_CHAT_TEMPLATE = t(
    "train.no_chat_template",
    "the base model had no chat template: ChatML tokens were added with untrained embeddings; "
    "prefer an instruct model that ships a chat template",
)
DATA_READY = t("train.data_ready", "data ready")
RESUMED = t("train.resumed", "resumed from checkpoint {checkpoint}")
STARTED = t("train.started", "training started")
EARLY_STOP = t(
    "train.early_stop", "early stopping: eval loss has not improved for {patience} evaluations"
)
FORGETTING = t(
    "train.forgetting",
    "forgetting: CF score {score} is over the warning threshold {threshold}",
)
CHECKPOINT_SAVED = t("train.checkpoint_saved", "checkpoint {checkpoint} saved")
EVAL_STARTED = t("train.evaluation_started", "evaluation started")
EVAL_FAILED = t("train.evaluation_failed", "the evaluation report failed: {error}")
EVAL_FINISHED = t("train.evaluation_finished", "evaluation finished")
REPLAY_CACHED = t("train.replay_cached", "replay from cache")
REPLAY_GENERATED = t(
    "train.replay_generated",
    "replay generated in {seconds} s: {answers} base-model answers ({finished} finished within "
    "{tokens} tokens)",
)
LEARNED_SCORE = t(
    "train.learned_score",
    "learned score at step {step}: exact match {exact}, token F1 {f1} on {n} held-out examples",
)
UNSAFE = t(
    "train.unsafe",
    "The tuned model refuses {tuned} of {total} harmful requests where the base model refused "
    "{base}: its safety refusals dropped by more than the {tolerance}% tolerance. Check the "
    "training data for answers to such requests, add a few refusal examples, lower "
    "train.learning_rate, or train at level L1.",
)
KEPT_BEST = t(
    "train.kept.best",
    "the best of {kept} of {trained} evaluations under the forgetting threshold {threshold}",
)
KEPT_LEAST = t(
    "train.kept.least",
    "no evaluation was under the forgetting threshold {threshold}: kept the one that forgot least",
)
KEPT_LAST = t("train.kept.last", "the last step (best-checkpoint selection is off)")
KEPT_LAST_FORGOT = t(
    "train.kept.last_forgot",
    "the last step (selection is off); its forgetting score is over {threshold}",
)
KEPT = t("train.kept", "kept the adapter of step {step}: {reason}")

EXPORT_STAGE = {
    "merge": t("export.merge", "merging the adapter into its base"),
    "archive": t("export.archive", "packing the merged folder for download"),
    "verify": t("export.verify", "loading {file} in llama.cpp and generating"),
    "convert": t("export.convert", "converting to GGUF f16 with llama.cpp's convert_hf_to_gguf.py"),
    "quantize": t("export.quantize", "quantising to {quantization} with llama.cpp"),
    "convert_base": t(
        "export.convert_base", "converting the base model to GGUF f16 (the LoRA needs one)"
    ),
    "convert_lora": t(
        "export.convert_lora", "converting the adapter with llama.cpp's convert_lora_to_gguf.py"
    ),
}
EXPORT_DONE = t("export.done", "export written: {file}")

# The outcome paragraph (selection.outcome_sentence): what was learned, kept or lost, what to try.
SCORE_EXACT = t("train.score.exact", "exact match {exact}, token F1 {f1}")
SCORE_LOSS = t("train.score.loss", "eval loss {loss}")
SCORE_NONE = t("train.score.none", "no score")
OUTCOME_LEARNED = t(
    "train.outcome.learned", "Learned: on held-out examples {score} at step {step}."
)
OUTCOME_LEARNED_BASE = t(
    "train.outcome.learned_base",
    "Learned: on held-out examples {score} (the base model: {base}) at step {step}.",
)
OUTCOME_KEPT = t(
    "train.outcome.kept",
    "{learned} Kept: forgetting score {cf}, under the threshold {threshold}.",
)
CF_NOT_MEASURED = t("train.score.cf_not_measured", "not measured")
OUTCOME_LOST = t(
    "train.outcome.lost",
    "{learned} Lost: the forgetting score stayed over {threshold} at every evaluation "
    "(lowest {cf}, the adapter kept), so general answers have drifted from the base model. "
    "Try a smaller train.learning_rate, more replay (a higher retain.replay_ratio or "
    "retain.kl_weight), or level L1 if a style is what you need.",
)
