"""The shipped probe sets: well formed, sized, both languages, and disjoint from the CF set."""

from __future__ import annotations

from collections import Counter

from easytune.training.evaluation.probes import SETS, load_probes, probe_set_name
from easytune.training.evaluation.scoring import contains_reference, token_f1, tokens
from easytune.training.reference import load_reference_set


def _reference_texts() -> list[str]:
    texts: list[str] = []
    for item in load_reference_set():
        if "messages" in item:
            texts.extend(m["content"] for m in item["messages"])
        else:
            texts.append(item["text"])
    return texts


def test_every_set_is_sized_and_ids_are_unique() -> None:
    probes = load_probes()
    sizes = Counter(p.set for p in probes)
    assert set(sizes) == set(SETS)
    for name in ("general", "arithmetic", "instruction", "safety"):
        assert 15 <= sizes[name] <= 45, (name, sizes[name])
    assert len({p.id for p in probes}) == len(probes)
    assert {p.lang for p in probes if p.set == "general"} == {"en", "zh"}
    assert probe_set_name() == "default-v1"


def test_probes_are_disjoint_from_the_cf_reference_set() -> None:
    reference = _reference_texts()
    for probe in load_probes():
        for text in reference:
            assert tokens(probe.prompt) != tokens(text), (probe.id, text)
            # Same template, another subject ("capital of Italy" vs "of France") is allowed.
            assert token_f1(probe.prompt, text) < 0.85, (probe.id, text)


def test_prompts_are_short_so_cpu_generation_stays_quick() -> None:
    assert all(len(p.prompt) <= 120 for p in load_probes())


def test_the_cap_keeps_both_languages_of_a_set() -> None:
    capped = load_probes(max_per_set=4)
    assert Counter(p.set for p in capped) == {name: 4 for name in SETS}
    assert {p.lang for p in capped if p.set == "general"} == {"en", "zh"}


def test_no_answer_is_given_away_by_its_own_question() -> None:
    """A model that echoes the question must not pass: no accepted answer is in the prompt."""
    for probe in load_probes():
        if probe.kind == "reference":
            assert not any(contains_reference(probe.prompt, a) for a in probe.answers), probe.id
