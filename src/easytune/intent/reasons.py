"""Every reason, note and warning the intent engine writes, as coded English templates.

Chinese templates for the same codes are in easytune/i18n/zh.json; a test checks that each
code here has one with the same parameters.
"""

from __future__ import annotations

from easytune.i18n import template as t

# ------------------------------------------------------------------ the level
LEVEL_TITLE = {
    "L1": t("intent.level.L1.title", "style / format"),
    "L2": t("intent.level.L2.title", "domain knowledge"),
    "L3": t("intent.level.L3.title", "instruction reshaping"),
    "preference": t("intent.level.preference.title", "prefer answers like these"),
}
LEVEL_CHOSEN = t("intent.level.chosen", "{level} ({title}): chosen by you")
LEVEL_DEFAULT = t(
    "intent.level.default",
    "no clear signal in the description or the data, so L2 (domain knowledge), "
    "the middle level, is the safe default",
)
LEVEL_WORDS = t("intent.level.words", "{level} ({title}): the description mentions {words}")
LEVEL_SIGNALS = t("intent.level.signals", "{level} ({title}): the dataset has {signals}")
LEVEL_BOTH = t(
    "intent.level.both",
    "{level} ({title}): the description mentions {words}; the dataset has {signals}",
)
SIGNAL_SHORT_ANSWERS = t("intent.signal.short_answers", "short answers (about {tokens} tokens)")
SIGNAL_FEW = t("intent.signal.few_examples", "few examples ({examples})")
SIGNAL_PLAIN = t("intent.signal.plain_text", "plain text rather than instructions")
SIGNAL_LONG = t("intent.signal.long_examples", "long, dense examples (median {tokens} tokens)")
SIGNAL_MANY = t("intent.signal.many_instructions", "many instructions ({examples})")
SIGNAL_TURNS = t("intent.signal.multi_turn", "multi-turn chats ({turns} turns)")

# ------------------------------------------------------------------ overrides
OVERRIDE_CHANGED = t("intent.override.changed", "set by you (was {value} because {reason})")
OVERRIDE_SAME = t("intent.override.same", "set by you (the same as chosen: {reason})")
DEMO_REPLAY = t(
    "intent.demo.replay",
    "the shipped demo: a first run that shows its effect within minutes on a CPU, and the pirate "
    "style should reach every answer, so no replayed base answers (generating them alone takes "
    "minutes on 2 cores); forgetting is still measured and the best checkpoint kept",
)
DEMO_ACCUMULATION = t(
    "intent.demo.accumulation",
    "the shipped demo: an opening phrase is learned from many small steps rather than few large "
    "ones, so no accumulation (one optimizer step per micro-batch)",
)
DEMO_EPOCHS = t(
    "intent.demo.epochs",
    "the shipped demo: one pass over its chats with a step every 4 sequences is enough for the "
    "pirate style to stick (measured: at least 4 of 5 unseen questions answered as a pirate), and "
    "keeps the first run within minutes on a CPU",
)
DEMO_CF_ITEMS = t(
    "intent.demo.cf_items",
    "the shipped demo: {items} reference items keep each forgetting check to seconds on a CPU; "
    "every check is a full forward pass over them",
)
DEMO_LAST_STEP = t(
    "intent.demo.last_step",
    "the shipped demo: a style every answer shows is itself what the forgetting check measures "
    "(0.21-0.26 in the measured run, over L1's 0.1), so the best checkpoint under the threshold "
    "would be an early one without the style; the last step is kept and the forgetting reported",
)
PRESET_CHANGED = t("intent.preset.changed", "{why} (the general rule: {value}, because {reason})")
WARN_RANK_RANGE = t(
    "intent.warn.rank_range", "lora.r={r} is outside {level}'s usual range {low}-{high}{beyond}"
)
WARN_RANK_HUGE = t("intent.warn.rank_huge", "; ranks above 256 rarely help")
WARN_HIGH_LR = t(
    "intent.warn.high_lr",
    "train.learning_rate above 1e-3 often makes LoRA training diverge (NaN loss)",
)
WARN_MAX_STEPS = t("intent.warn.max_steps", "train.max_steps is set, so train.epochs is ignored")
WARN_RETAIN_OFF = t(
    "intent.warn.retain_off", "retain.enabled is false, so the other retain.* settings are ignored"
)
WARN_EVAL_FRACTION = t(
    "intent.warn.eval_fraction",
    "data.eval_fraction is ignored: you gave a separate evaluation file",
)

# ------------------------------------------------------------------ adapter (lora.*)
RANK = t(
    "intent.rank",
    "{level} ({title}) uses rank {low}-{high}; {tokens} training tokens place this run at the "
    "{where} of that range{pulled}",
)
RANK_WHERE = {
    "bottom": t("intent.rank.bottom", "bottom"),
    "middle": t("intent.rank.middle", "middle"),
    "top": t("intent.rank.top", "top"),
}
RANK_PULLED = t("intent.rank.pulled", ", pulled down for a {params}-parameter model")
RSLORA_OFF = t(
    "intent.rslora.off",
    "off: with alpha = 2 x rank the standard scaling is stable at the ranks used here",
)
ALPHA_RSLORA = t(
    "intent.alpha.rslora", "2 x rank; with rsLoRA the update scale is alpha/sqrt(r) = {scale}"
)
ALPHA = t(
    "intent.alpha.standard",
    "2 x rank, the common choice: the update scale alpha/r stays 2 whatever the rank",
)
DROPOUT = t("intent.dropout", "{tokens} training tokens: {why}")
DROPOUT_SMALL = t("intent.dropout.small", "small data overfits easily, so more dropout")
DROPOUT_MEDIUM = t("intent.dropout.medium", "a medium-sized dataset needs only light dropout")
DROPOUT_LARGE = t(
    "intent.dropout.large", "with this much data overfitting is unlikely, so no dropout"
)
TARGETS = t("intent.targets", "{why} ({modules} in {model_type})")
TARGETS_WHY = {
    "L1": t(
        "intent.targets.L1",
        "style and format live in how tokens attend to each other, so L1 adapts only the "
        "attention q/k/v projections",
    ),
    "L2": t(
        "intent.targets.L2",
        "facts and terminology are stored mostly in the MLP layers, so L2 adapts the attention "
        "q/k/v and the MLP projections",
    ),
    "L3": t(
        "intent.targets.L3",
        "reshaping how the model follows instructions needs every linear layer: attention "
        "q/k/v, attention output and MLP",
    ),
    "preference": t(
        "intent.targets.preference",
        "preferring one answer over another touches tone, content and format at once, so every "
        "linear layer is adapted (as DPO recipes on LoRA do)",
    ),
}
WARN_NO_GROUP = t(
    "intent.warn.no_group", "the model facts list no {group} modules for {model_type}"
)
DORA_OFF = t(
    "intent.dora.off",
    "off: DoRA costs noticeably more time and memory for a small gain at these ranks",
)
QUANT_NONE = t(
    "intent.quantization.none",
    "base weights at full training precision; 4-bit QLoRA is chosen only when memory needs it",
)

# ------------------------------------------------------------------ data (data.*)
FORMAT_DETECTED = t("intent.format.detected", "detected as {format}")
FORMAT_LATER = t("intent.format.later", "detected again when training")
EVAL_FILE = t("intent.eval_fraction.file", "unused: you gave a separate evaluation file")
EVAL_HOLD = t(
    "intent.eval_fraction.hold",
    "holds out about {held} examples for evaluation (up to 10%, about 200 at most on big data)",
)
EVAL_CAP = t("intent.max_eval_examples", "keeps each evaluation quick on {device}")
DATA_SEED = t("intent.data_seed", "fixed so the evaluation split and shuffling repeat exactly")
ASSISTANT_LOSS = t(
    "intent.assistant_loss.chat",
    "loss on the assistant's answers only, so the model learns to answer rather than to "
    "predict the questions",
)
ALL_LOSS = t("intent.assistant_loss.text", "plain text: every token is learnt")
TRUNC_CORPUS = t(
    "intent.truncation.corpus",
    "a corpus is cut into blocks of this length, so nothing is truncated",
)
TRUNC_NONE = t("intent.truncation.none", "no example is longer, so nothing is truncated")
TRUNC_SOME = t(
    "intent.truncation.some", "about {n} examples ({share}) are longer and will be truncated"
)
WARN_LENGTH_CAPPED = t(
    "intent.warn.length_capped",
    "data.max_length capped at the model's limit of {limit} tokens: {note}",
)
LENGTH_CAPPED = t(
    "intent.max_length.capped",
    "99% of examples fit in {p99} tokens but the model reads at most {limit}; {note}",
)
LENGTH = t(
    "intent.max_length",
    "99% of examples fit in {p99} tokens, rounded up to a multiple of {multiple}; {note}",
)
LENGTH_CORPUS = t(
    "intent.max_length.corpus",
    "a text corpus is joined and cut into blocks of {length} tokens (about {blocks} blocks): "
    "every token is trained and nothing is truncated",
)
PACK_CORPUS = t("intent.packing.corpus", "on: corpus blocks are already full rows of max_length")
PACK_ON = t(
    "intent.packing.on",
    "on: {examples} examples with a median of {median} tokens fill {length}-token rows far "
    "better packed (padding-free) than padded",
)
PACK_FEW = t("intent.packing.few", "off: too few examples to gain from packing")
PACK_LONG = t(
    "intent.packing.long",
    "off: the median example ({median} tokens) is long enough that padding wastes little",
)

# ------------------------------------------------------------------ training (train.*)
DEVICE_GPU = t("intent.device.gpu", "{count} x {gpu}")
DEVICE_CPU = t("intent.device.cpu", "no GPU on this worker: {cores} CPU cores")
PRECISION_BF16 = t(
    "intent.precision.bf16",
    "this GPU supports bf16: half the memory of fp32 without fp16's overflow risk",
)
PRECISION_FP16 = t(
    "intent.precision.fp16", "this GPU lacks bf16, so fp16 mixed precision with loss scaling"
)
PRECISION_FP32 = t(
    "intent.precision.fp32", "CPU training runs in fp32; half precision is slow or unsupported"
)
PROCESSES_MANY = t(
    "intent.processes.many",
    "{gpus} GPUs on this worker: one training process each (torchrun + DDP), so each step sees "
    "that many micro-batches at once",
)
PROCESSES_GPU = t("intent.processes.gpu", "one GPU: a single training process")
PROCESSES_CPU = t(
    "intent.processes.cpu", "CPU: one process already uses every core; more would only split them"
)
LR = t(
    "intent.lr",
    "{base} LoRA baseline x{factor} ({why}){rslora}{rank}{corpus}{preference} = {lr}",
)
LR_PREFERENCE = t(
    "intent.lr.preference",
    " x{factor} (preference training on LoRA runs at about a tenth of the SFT rate: the margin "
    "grows fast and large steps over-optimise it)",
)
LR_RSLORA = t("intent.lr.rslora", " x0.5 (rsLoRA's alpha/sqrt(r) scaling makes each update larger)")
LR_RANK = t("intent.lr.rank", " x{factor} (rank {r}: higher ranks need a lower rate)")
LR_CORPUS = t(
    "intent.lr.corpus",
    " x{factor} (a text corpus trains every token, so gentler steps keep general ability)",
)
LR_SIZE = (
    t("intent.lr.size.small", "small models (<1B) need a much higher rate for LoRA to take effect"),
    t("intent.lr.size.1b", "1-4B models train well at the baseline"),
    t("intent.lr.size.4b", "4-15B models are more sensitive, so the rate is lowered"),
    t("intent.lr.size.15b", "15-40B models are sensitive, so the rate is halved"),
    t("intent.lr.size.huge", "very large models need a much lower rate"),
)
BATCH_STABLE = t(
    "intent.batch.stable", "an effective batch of {n} sequences gives stable gradients"
)
BATCH_SMALL = t(
    "intent.batch.small",
    "an effective batch of {n} sequences (smaller than the usual {usual}) so the {rows} rows "
    "per epoch still give enough steps",
)
EPOCHS = t("intent.epochs", "{tokens} training tokens: {why}")
EPOCHS_WHY = (
    t("intent.epochs.tiny", "tiny data needs several passes to take effect"),
    t("intent.epochs.small", "a small dataset is learnt well in 3 passes"),
    t("intent.epochs.medium", "a medium dataset needs 2 passes"),
    t("intent.epochs.large", "one pass over a large dataset is enough and avoids overfitting"),
)
EPOCHS_MIN_STEPS = t(
    "intent.epochs.min_steps",
    "{tokens} training tokens give only {per_epoch} steps per epoch{replay}; {epochs} epochs "
    "reach about {min_steps} steps, the least that moves an adapter",
)
EPOCHS_REPLAY = t("intent.epochs.replay", " (with {n} replayed answers)")
EPOCHS_CORPUS = t(
    "intent.epochs.corpus",
    "{tokens} training tokens in {per_epoch} steps per epoch; a text corpus gets at most "
    "{most} passes: more would memorise it verbatim and raise forgetting rather than add "
    "knowledge",
)
EPOCHS_PREFERENCE = t(
    "intent.epochs.preference",
    "{tokens} training tokens in {per_epoch} steps per epoch; preference pairs get at most "
    "{most} passes: more over-optimise the reward margin on the same pairs",
)
MAX_STEPS = t("intent.max_steps", "the epochs decide the run's length")
EVAL_EVERY = t(
    "intent.eval_every",
    "about {evals} evaluations (with the forgetting check) over {steps} steps",
)
SAVE_EVERY = t("intent.save_every", "about {saves} checkpoints over {steps} steps")
SAVE_CLOCK = t(
    "intent.save_every.clock",
    "a checkpoint at least every {minutes} minutes (about {seconds} s per step)",
)
SAVE_MINUTES = t(
    "intent.save_minutes", "also saves on the clock, so a crash never loses more than this"
)
WARMUP = t("intent.warmup", "{steps} steps: {why}")
WARMUP_WHY = (
    t("intent.warmup.short", "short runs need a relatively longer warm-up to avoid early spikes"),
    t("intent.warmup.medium", "a medium run warms up over 5% of its steps"),
    t("intent.warmup.long", "long runs need only a short warm-up"),
)
WEIGHT_DECAY = t(
    "intent.weight_decay",
    "LoRA adapters are small and dropout already regularises them; weight decay adds little",
)
GRAD_NORM = t("intent.max_grad_norm", "clips rare gradient spikes that could derail training")
SCHEDULER = t(
    "intent.lr_scheduler", "decays smoothly to zero after warm-up, the usual choice for fine-tuning"
)
KEEP_CHECKPOINTS = t(
    "intent.keep_checkpoints",
    "the newest two: enough to resume after a crash without filling the disk",
)
EARLY_STOP = t(
    "intent.early_stopping", "off: about 5 evaluations per run are too few to stop on safely"
)
SEED = t("intent.seed", "fixed so a rerun gives the same adapter")

# ------------------------------------------------------------------ forgetting (cf.*)
CF_ENABLED = t(
    "intent.cf.enabled",
    "measures forgetting (perplexity and KL against the base model) at the start and at every "
    "evaluation",
)
CF_RETAIN = t(
    "intent.cf.retain_path",
    "the shipped general reference set (60 English and 40 Chinese prompts and texts)",
)
CF_ITEMS = t(
    "intent.cf.max_items",
    "enough items for a stable score while keeping each check quick on {device}",
)
CF_WARN = t("intent.cf.warn", "{level}: {why}{corpus}")
CF_WHY = {
    "L1": t("intent.cf.L1", "a style change should leave general knowledge almost untouched"),
    "L2": t("intent.cf.L2", "new domain knowledge shifts some general predictions, within limits"),
    "L3": t("intent.cf.L3", "reshaping behaviour moves the output distribution by design"),
    "preference": t(
        "intent.cf.preference",
        "preference training moves the answers' distribution on purpose, but the reference term "
        "keeps it near the base",
    ),
}
CF_CORPUS = t(
    "intent.cf.corpus",
    "; a text corpus trains every token, so forgetting is checked at every evaluation",
)
CF_STOP = t(
    "intent.cf.stop",
    "never stops the job on its own; set cf.stop_threshold to stop when forgetting passes it",
)

# ------------------------------------------------------------------ retention (retain.*)
RETAIN = t(
    "intent.retain.enabled",
    "learn without forgetting: replay the base model's own answers, anchor it, and keep the "
    "best checkpoint that did not forget",
)
RETAIN_PREFERENCE = t(
    "intent.retain.enabled.preference",
    "learn without forgetting: keep the best checkpoint that did not forget (pairs are anchored "
    "to the base by the method's own reference term, not by replay)",
)
REPLAY_RATIO = t(
    "intent.retain.replay_ratio",
    "{examples} training examples: {size_why}; x{factor} at {level} ({level_why}) = {ratio}",
)
REPLAY_BY_SIZE = (
    t(
        "intent.retain.replay.small",
        "small data is repeated over many epochs, so one replayed answer per example",
    ),
    t("intent.retain.replay.medium", "a medium dataset: one replayed answer per two examples"),
    t(
        "intent.retain.replay.large",
        "a large dataset: one replayed answer per four examples is enough",
    ),
)
RETAIN_LEVEL = {
    "L1": t(
        "intent.retain.L1",
        "a style should reach general answers too, so less replay and no anchor",
    ),
    "L2": t(
        "intent.retain.L2",
        "new facts must not leak into unrelated answers, so half replay and a strong KL "
        "anchor: the anchor costs a forward pass, each replayed row a full step",
    ),
    "L3": t(
        "intent.retain.L3",
        "reshaping behaviour is meant to change every answer, so less replay",
    ),
    "preference": t(
        "intent.retain.preference",
        "preference data trains pairs, not chats, and the method's reference term already "
        "anchors the adapter to the base, so no replay",
    ),
}
PROMPT_SET = t(
    "intent.retain.prompt_set",
    "the shipped bilingual replay set {name} ({prompts} general, how-to and harmful prompts, so "
    "refusals are replayed too)",
)
REPLAY_TOKENS = t(
    "intent.retain.max_new_tokens",
    "answers up to {cap} tokens on {device} keep the one-off generation quick{fit}; unfinished "
    "answers are not replayed",
)
REPLAY_FIT = t(
    "intent.retain.max_new_tokens.fit", ", and fit data.max_length ({length}) with the question"
)
CACHE_DIR = t(
    "intent.retain.cache_dir",
    "the platform's shared replay cache: generated once per base model, reused by every job",
)
KL_OFF = t("intent.retain.kl_off", "off at {level}: {why}")
KL = t(
    "intent.retain.kl",
    "{base} at {level} ({level_why}) x{factor} ({size_why}); costs one forward pass of the "
    "base per replayed batch",
)
KL_BY_SIZE = (
    t("intent.retain.kl.small", "small models (<1B) drift fastest at their high learning rate"),
    t("intent.retain.kl.large", "larger models drift less"),
)
BEST_CHECKPOINT = t(
    "intent.retain.best_checkpoint",
    "the adapter kept is the best evaluation whose forgetting score is under cf.warn_threshold, "
    "not simply the last step",
)
SCORE_NONE = t("intent.retain.score.none", "plain text has no reference answers to score")
SCORE = t(
    "intent.retain.score",
    "{n} held-out questions answered at each evaluation measure what was learned, few enough "
    "to stay quick on {device}",
)

# ------------------------------------------------------------------ evaluation (evaluation.*)
EVALUATION = t(
    "intent.evaluation.enabled",
    "a before/after report at the end: what was learned, which general answers were kept, and "
    "whether harmful requests are still refused",
)
PROBES = t(
    "intent.evaluation.probes",
    "the shipped probe set {name}: general knowledge (English and Chinese), arithmetic, "
    "instruction following and safety",
)
PER_SET_ALL = t("intent.evaluation.per_set.all", "every probe of each set: about 20 short prompts")
PER_SET = t(
    "intent.evaluation.per_set",
    "{n} of each set, spread over both languages: greedy answers are slow on CPU",
)
PROBE_TOKENS = t(
    "intent.evaluation.max_new_tokens",
    "answers to the probes are a word or a sentence; {tokens} tokens also show a refusal's "
    "opening ({device})",
)
HELD_OUT = t(
    "intent.evaluation.held_out",
    "up to {n} held-out examples of your data measure what was learned",
)
HELD_OUT_NONE = t(
    "intent.evaluation.held_out.none",
    "no held-out split (data.eval_fraction is 0): learned is not measured",
)
EVAL_BATCH = (
    t(
        "intent.evaluation.batch.small",
        "a small model answers 64 short prompts at once in little memory",
    ),
    t(
        "intent.evaluation.batch.medium",
        "32 short prompts at once keep the KV cache small next to the weights",
    ),
    t("intent.evaluation.batch.large", "a large model's KV cache is big, so 16 prompts at once"),
)
REFUSAL = t("intent.evaluation.refusal", "{level}: {why}; a larger drop flags the job unsafe")
REFUSAL_WHY = {
    "L1": t(
        "intent.evaluation.refusal.L1", "a style change should leave safety refusals untouched"
    ),
    "L2": t("intent.evaluation.refusal.L2", "new knowledge may move an odd refusal, not more"),
    "L3": t(
        "intent.evaluation.refusal.L3",
        "reshaping instructions moves some refusals by design; more is flagged",
    ),
    "preference": t(
        "intent.evaluation.refusal.preference",
        "preferred answers may change tone, not whether harm is refused",
    ),
}

# ------------------------------------------------------------------ memory (the fitter)
BUDGET_NOTE = t("intent.memory.budget_note", "{budget}: {how}")
BUDGET_HOW = t("intent.memory.budget_how", "{percent} of {total} {what}")
MEMORY_GPU = t("intent.memory.gpu", "GPU memory")
MEMORY_HOST = t("intent.memory.host", "host memory")
WARN_MEMORY_ASSUMED = t(
    "intent.warn.memory_assumed", "the hardware facts do not give the {what}; assumed {total}"
)
FITTER = t("intent.fitter", "set by the memory fitter")
CKPT_DEFAULT = t("intent.checkpointing.default", "off unless memory needs it")
ACCUMULATION = t(
    "intent.accumulation",
    "{micro} per step{per_gpu} x {accum} = {total} sequences per optimizer step: {why}",
)
PER_GPU = t("intent.accumulation.per_gpu", " on each of {gpus} GPUs")
ACCUMULATION_PINNED = t(
    "intent.accumulation.pinned",
    "train.batch_size={micro}, set by you, already holds more than the {aim} the plan would aim "
    "for, so nothing is accumulated",
)
ACCUMULATION_ONE = t(
    "intent.accumulation.one",
    "one sequence per process already holds more than the {aim} aimed for",
)
BASE_PEAK = t("intent.memory.base_peak", "{peak} of the {budget} budget ({how})")
QLORA = t(
    "intent.quantization.qlora",
    "4-bit QLoRA: with 16-bit weights the plan needs {need} even at batch 1",
)
WARN_QLORA = t(
    "intent.warn.qlora",
    "4-bit QLoRA chosen to fit memory: a little slower and slightly less accurate than 16-bit LoRA",
)
CKPT_ON = t("intent.checkpointing.on", "on: without it batch 1 needs {need}")
CKPT_OFF = t("intent.checkpointing.off", "off: the plan fits without it ({peak} of {budget})")
MICRO_FITS = t("intent.micro.fits", "{seqs} per step fit in memory: {cap}")
MICRO_CPU = t("intent.micro.cpu", "the largest useful micro-batch on CPU")
MICRO_GPU = t("intent.micro.gpu", "the whole effective batch in one step")
MICRO_LIMIT = t(
    "intent.micro.limit", "{seqs} per step: {bigger} would need {need} of the {budget} budget"
)
SEQ_ONE = t("intent.sequences.one", "{n} sequence")
SEQ_MANY = t("intent.sequences.many", "{n} sequences")
SHORTENED = t("intent.max_length.shortened", "shortened from {before} to fit memory; {note}")
WARN_SHORTENED = t(
    "intent.warn.shortened",
    "data.max_length shortened from {before} to {after} to fit memory: {note}",
)
MIX_NONE = t("intent.mix.none", "no second dataset: only the chosen dataset is trained")
MIX = t(
    "intent.mix",
    "your second dataset is trained alongside (loss on its answers only): a few chats next to a "
    "text corpus keep the chat format while the corpus brings the knowledge; the step count "
    "above covers the main dataset",
)

# ------------------------------------------------------------------ preference (train.method)
LEVEL_PREFERENCE = t(
    "intent.level.preference",
    "preference (prefer answers like these): the dataset holds {what}, which the preference "
    "intent learns from (the L1-L3 intents would train only the good answers)",
)
HOLDS_PAIRS = t("intent.preference.holds.pairs", "preference pairs")
HOLDS_LABELS = t("intent.preference.holds.labels", "answers labelled true/false")
METHOD_WHY = {
    "dpo": t(
        "intent.method.dpo",
        "DPO on the pairs: the adapter learns to rank each chosen answer above the rejected one "
        "relative to the base model (the same weights with the adapter disabled, no second copy)",
    ),
    "orpo": t(
        "intent.method.orpo",
        "ORPO: the chosen answers' loss plus an odds-ratio term against the rejected ones; no "
        "reference pass, so cheaper per step",
    ),
    "simpo": t(
        "intent.method.simpo",
        "SimPO: length-normalised answer log-probabilities with a target margin; no reference "
        "pass, so cheaper per step",
    ),
    "kto": t(
        "intent.method.kto",
        "KTO on answers labelled true or false: good answers pushed above the base model, bad "
        "ones below it, never trained as targets",
    ),
}
METHOD_SFT = t("intent.method.sft", "{level}: next-token training on the answers")
BETA_WHY = {
    "dpo": t(
        "intent.beta.dpo",
        "0.1, the usual DPO strength: lower lets the adapter move further from the base",
    ),
    "orpo": t(
        "intent.beta.orpo",
        "0.1, ORPO's usual weight of the odds-ratio term against the chosen answers' loss",
    ),
    "simpo": t("intent.beta.simpo", "2.0, SimPO's usual reward scale"),
    "kto": t(
        "intent.beta.kto",
        "0.1, the usual KTO strength: lower lets the adapter move further from the base",
    ),
}
PACK_PREFERENCE = t(
    "intent.packing.preference", "off: each pair's answers are compared whole, side by side"
)
BETA_UNUSED = t("intent.beta.unused", "unused: next-token training has no preference term")
GAMMA_SIMPO = t("intent.gamma.simpo", "SimPO's target margin")
GAMMA_UNUSED = t("intent.gamma.unused", "unused (SimPO only)")
WARN_PAIRS_AS_CHAT = t(
    "intent.warn.pairs_as_chat",
    "this dataset holds preference pairs: L1-L3 train the chosen answers only; choose the "
    "preference intent to learn from the rejected answers too",
)
WARN_LABELS_AS_CHAT = t(
    "intent.warn.labels_as_chat",
    "this dataset holds answers labelled true/false: L1-L3 train only the true ones; choose the "
    "preference intent (KTO) to push the false ones down as well",
)
