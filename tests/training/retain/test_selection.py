"""Best-checkpoint selection on scripted metric sequences: a pure function."""

from __future__ import annotations

from easytune.training.selection import EvalPoint, outcome_sentence, select, select_last

# step, CF score, exact, F1, eval loss: learning improves, forgetting grows after step 40.
SCRIPT = [
    EvalPoint(0, 0.0, 0.0, 0.05, None),
    EvalPoint(10, 0.04, 0.25, 0.40, 2.1),
    EvalPoint(20, 0.08, 0.75, 0.80, 1.6),
    EvalPoint(30, 0.12, 0.75, 0.80, 1.4),  # ties step 20 on the learned score, lower loss
    EvalPoint(40, 0.22, 1.00, 0.95, 1.2),  # learned most but over the threshold
    EvalPoint(50, 0.35, 1.00, 0.97, 1.1),
]


def test_the_best_evaluation_under_the_threshold_is_chosen() -> None:
    choice = select(SCRIPT, threshold=0.15)
    assert choice is not None
    assert (choice.point.step, choice.outcome) == (30, "ok")
    assert "3 of 5 evaluations under the forgetting threshold 0.15" in choice.reason


def test_a_lower_threshold_moves_the_choice_earlier_and_the_base_never_counts() -> None:
    assert select(SCRIPT, threshold=0.1).point.step == 20  # type: ignore[union-attr]
    assert select(SCRIPT, threshold=0.05).point.step == 10  # type: ignore[union-attr]
    assert select(SCRIPT[:1], threshold=0.15) is None  # step 0 is the base model


def test_without_a_learned_score_the_eval_loss_decides() -> None:
    points = [EvalPoint(s, 0.01, None, None, loss) for s, loss in ((5, 2.0), (10, 1.5), (15, 1.7))]
    assert select(points, 0.15).point.step == 10  # type: ignore[union-attr]


def test_nothing_under_the_threshold_keeps_the_least_forgetting_and_says_forgot() -> None:
    choice = select(SCRIPT, threshold=0.01)
    assert choice is not None and choice.outcome == "forgot" and choice.point.step == 10
    sentence = outcome_sentence(choice, SCRIPT[0], 0.01)
    text = str(sentence)
    assert text.startswith("Learned: on held-out examples exact match 25%, token F1 0.40")
    assert "(the base model: exact match 0%, token F1 0.05)" in text
    assert "Lost: the forgetting score stayed over 0.01" in text
    for hint in ("train.learning_rate", "retain.replay_ratio", "L1"):
        assert hint in text
    # Coded: the same paragraph reads in Chinese, the numbers and setting names kept.
    chinese = sentence.render("zh")
    assert chinese.startswith("学到的：在留出样本上完全匹配 25%，词元 F1 0.40")
    assert "基础模型：完全匹配 0%" in chinese and "丢失的" in chinese
    assert "train.learning_rate" in chinese and "Learned" not in chinese


def test_a_kept_outcome_without_a_learned_score_names_the_eval_loss() -> None:
    points = [EvalPoint(0, 0.0, None, None, 2.5), EvalPoint(6, 0.02, None, None, 1.25)]
    choice = select(points, 0.15)
    assert choice is not None and choice.outcome == "ok"
    sentence = outcome_sentence(choice, points[0], 0.15)
    assert str(sentence) == (
        "Learned: on held-out examples eval loss 1.250 (the base model: eval loss 2.500) "
        "at step 6. Kept: forgetting score 0.020, under the threshold 0.15."
    )
    assert sentence.render("zh") == (
        "学到的：在留出样本上评估损失 1.250（基础模型：评估损失 2.500）（第 6 步）。"
        "保留的：遗忘分数 0.020，低于阈值 0.15。"
    )


def test_selection_off_keeps_the_last_step_and_flags_it() -> None:
    last = select_last(SCRIPT, threshold=0.15)
    assert last is not None and (last.point.step, last.outcome) == (50, "forgot")
    assert select_last(SCRIPT[:3], threshold=0.15).outcome == "ok"  # type: ignore[union-attr]


def test_an_unmeasured_cf_counts_as_kept() -> None:
    points = [EvalPoint(4, None, 0.5, 0.6, 1.0), EvalPoint(8, None, 0.25, 0.5, 0.9)]
    choice = select(points, 0.15)
    assert choice is not None and choice.point.step == 4 and choice.outcome == "ok"


def test_a_run_that_measured_nothing_has_no_outcome_sentence() -> None:
    from easytune.training.retain.stage import summary

    points = [EvalPoint(0), EvalPoint(30)]  # no eval split, CF monitor off
    kept = summary(select_last(points, 0.1), points, 0.1)
    assert kept["outcome"] == "ok" and kept["chosen_step"] == 30
    assert kept["outcome_message"] is None and kept["outcome_detail"] is None
    measured = [EvalPoint(0, 0.0), EvalPoint(30, 0.02)]
    said = summary(select_last(measured, 0.1), measured, 0.1)["outcome_message"]
    assert said.endswith("Kept: forgetting score 0.020, under the threshold 0.1.")
