"""The check of a batch, on a real temporary git repository (training and test runs stubbed)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from workbench import check, store

REPORT_OK = {
    "accuracy": 0.95,
    "f1": {"greet": 0.99, "passport_id_card": 0.9},
    "passed": True,
    "errors": [{"intent": "passport_id_card", "intent_prediction": {"name": "drivers_license"}, "text": "x"}],
    "successes": [{"intent": "greet", "intent_prediction": {"name": "greet"}, "text": "y"}],
    "output": "",
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def batch(tmp_path: Path, repo: Path) -> dict[str, Any]:
    engine = store.make_engine(f"sqlite:///{tmp_path / 'wb.db'}")
    ids = [
        store.add_proposal(
            engine,
            "example",
            {"text": "mijn pas is door de wasmachine gegaan", "intent": "passport_id_card", "event_id": 1},
            "anna",
        ),
        store.add_proposal(
            engine,
            "example",
            {"text": "wie wint de tour de france", "intent": "out_of_scope", "event_id": 2},
            "anna",
        ),
    ]
    (repo / "var/spacy-nl").mkdir(parents=True)
    batch_id = store.create_batch(engine, "training/test", "bert")
    store.set_proposal_status(engine, ids, "approved", "bert", batch_id=batch_id)
    ctx = check.CheckContext(
        repo=repo,
        engine=engine,
        batch_id=batch_id,
        branch="training/test",
        baseline_model=str(tmp_path / "no-model.tar.gz"),
    )
    return {"ctx": ctx, "engine": engine, "proposals": store.list_proposals(engine, batch_id=batch_id)}


def _stub(
    monkeypatch: pytest.MonkeyPatch,
    report: dict[str, Any],
    commands: list[list[str]],
    before: dict[str, Any] | None = None,
) -> None:
    """Stub the commands; ``report`` is the held-out result after the batch, ``before`` of the base."""

    def run(ctx: check.CheckContext, name: str, cmd: list[str], cwd: Path, timeout: float = 0) -> str:
        commands.append(cmd)
        ctx.timings[name] = 0.0
        return ""

    def held_out(ctx: check.CheckContext, model: str, cwd: Path, out: Path, name: str) -> dict[str, Any]:
        return {**(before if before is not None and name == "controle huidige stand" else report)}

    monkeypatch.setattr(check, "run", run)
    monkeypatch.setattr(check, "held_out", held_out)


def test_a_passing_batch_is_committed_on_the_named_branch(
    monkeypatch: pytest.MonkeyPatch, batch: dict[str, Any], repo: Path
) -> None:
    commands: list[list[str]] = []
    _stub(monkeypatch, REPORT_OK, commands)
    result = check.run_check(batch["ctx"], batch["proposals"], "bert")
    assert result["passed"], result
    assert any(cmd[-1] == "scripts/validate.py" for cmd in commands)
    assert any(cmd[1:3] == ["train", "nlu"] for cmd in commands)
    # the operator's checkout is untouched; the branch holds only the two added lines
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    diff = git(repo, "diff", "--unified=0", "main", "training/test")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert sorted(changed) == [
        "+    - mijn pas is door de wasmachine gegaan",
        "+    - wie wint de tour de france",
    ]
    message = git(repo, "log", "-1", "--format=%an%n%B", "training/test")
    assert message.startswith(
        "bert (Trainerswerkplaats)\ntraining: 2 voorbeeld(en) (out_of_scope, passport_id_card)"
    )
    assert "Goedgekeurd door bert." in message and "voorgesteld door anna" in message
    saved = store.get_batch(batch["engine"], batch["ctx"].batch_id)
    assert saved["status"] == "committed" and saved["result"]["pairs"] == [
        ["passport_id_card", "drivers_license", 1]
    ]
    assert (repo / "var/workbench/batches/1/f1.png").stat().st_size > 1000
    assert {p["status"] for p in store.list_proposals(batch["engine"])} == {"committed"}
    assert not list(Path(batch["ctx"].work).parent.glob("*"))  # the temporary worktree is gone


def test_a_failing_check_commits_nothing_and_drops_the_branch(
    monkeypatch: pytest.MonkeyPatch, batch: dict[str, Any], repo: Path
) -> None:
    _stub(monkeypatch, {**REPORT_OK, "passed": False, "accuracy": 0.5}, [], before=REPORT_OK)
    result = check.run_check(batch["ctx"], batch["proposals"], "bert")
    assert not result["passed"] and "ondergrens" in result["error"]
    assert "training/test" not in git(repo, "branch", "--list")
    assert git(repo, "status", "--porcelain") == ""
    assert {p["status"] for p in store.list_proposals(batch["engine"])} == {"approved"}
    assert store.get_batch(batch["engine"], batch["ctx"].batch_id)["status"] == "failed"


def test_an_existing_branch_is_refused(
    monkeypatch: pytest.MonkeyPatch, batch: dict[str, Any], repo: Path
) -> None:
    git(repo, "branch", "training/test")
    _stub(monkeypatch, REPORT_OK, [])
    result = check.run_check(batch["ctx"], batch["proposals"], "bert")
    assert not result["passed"] and "technische fout" in result["error"]
    assert "training/test" in git(repo, "branch", "--list")  # the existing branch is left alone


def test_a_rule_batch_trains_fully_and_runs_the_conversation_tests(
    monkeypatch: pytest.MonkeyPatch, batch: dict[str, Any], repo: Path
) -> None:
    commands: list[list[str]] = []
    _stub(monkeypatch, REPORT_OK, commands)
    (repo.parent / "models").mkdir(exist_ok=True)
    rule = {
        "id": 99,
        "kind": "rule",
        "proposed_by": "anna",
        "payload": {
            "intent": "vraag_parkeervergunning",
            "new_intent": True,
            "action": "utter_werkplaats_parkeren",
            "examples": ["hoe krijg ik een parkeervergunning", "parkeervergunning aanvragen"],
            "response_text": "Een parkeervergunning vraagt u aan op onze website.",
        },
    }
    monkeypatch.setattr(check.shutil, "copy", lambda src, dst: None)
    result = check.run_check(batch["ctx"], [rule], "bert")
    assert result["passed"], result
    assert any(cmd[1:3] == ["test", "core"] for cmd in commands)
    assert any(cmd[1] == "train" and cmd[2] == "--config" for cmd in commands)
    files = git(repo, "diff", "--name-only", "main", "training/test").split()
    assert files == ["data/nlu/werkplaats.yml", "data/rules/werkplaats.yml", "domain/werkplaats.yml"]


@pytest.mark.parametrize("name", ["training/2026-12-01", "wk49", "a.b_c-d"])
def test_valid_branch_names(name: str) -> None:
    assert check.valid_branch(name)


@pytest.mark.parametrize("name", ["", "../main", "-x", "a b", "x.lock", "a/", "a..b", "x;rm"])
def test_invalid_branch_names(name: str) -> None:
    assert not check.valid_branch(name)


def test_a_missing_spacy_pipeline_is_named(
    monkeypatch: pytest.MonkeyPatch, batch: dict[str, Any], repo: Path
) -> None:
    (repo / "var/spacy-nl").rmdir()
    _stub(monkeypatch, REPORT_OK, [])
    result = check.run_check(batch["ctx"], batch["proposals"], "bert")
    assert not result["passed"] and "var/spacy-nl" in result["error"]


def test_no_baseline_model_setting_skips_the_before_training(
    monkeypatch: pytest.MonkeyPatch, batch: dict[str, Any]
) -> None:
    commands: list[list[str]] = []
    _stub(monkeypatch, REPORT_OK, commands)
    batch["ctx"].baseline_model = ""
    result = check.run_check(batch["ctx"], batch["proposals"], "bert")
    assert result["passed"] and result["before_accuracy"] is None
    assert sum(1 for cmd in commands if cmd[1:3] == ["train", "nlu"]) == 1


def test_the_before_figures_come_from_training_the_base(
    monkeypatch: pytest.MonkeyPatch, batch: dict[str, Any]
) -> None:
    commands: list[list[str]] = []
    _stub(monkeypatch, REPORT_OK, commands)
    result = check.run_check(batch["ctx"], batch["proposals"], "bert")
    assert result["before_accuracy"] == 0.95
    assert [cmd[-1] for cmd in commands if cmd[1:3] == ["train", "nlu"]] == ["before", "nlu"]


BELOW_FLOOR = {**REPORT_OK, "passed": False, "accuracy": 0.879}


def test_a_batch_on_a_base_below_the_floor_passes_when_its_accuracy_is_no_lower(
    monkeypatch: pytest.MonkeyPatch, batch: dict[str, Any], repo: Path
) -> None:
    """The base itself misses the held-out floor: a batch is judged by what it changes."""
    better = {**BELOW_FLOOR, "accuracy": 0.881, "f1": {"greet": 0.99, "passport_id_card": 0.8}}
    _stub(monkeypatch, better, [], before=BELOW_FLOOR)
    result = check.run_check(batch["ctx"], batch["proposals"], "bert")
    assert result["passed"] and result["below_floor"] is True, result
    assert result["worse"] == ["passport_id_card"]  # shown as a warning on the page
    message = git(repo, "log", "-1", "--format=%B", "training/test")
    assert "0.879 -> 0.881" in message and "ondergrens" in message and "niet lager" in message


def test_a_batch_on_a_base_below_the_floor_fails_when_its_accuracy_is_lower(
    monkeypatch: pytest.MonkeyPatch, batch: dict[str, Any], repo: Path
) -> None:
    worse = {**BELOW_FLOOR, "accuracy": 0.877, "f1": {"greet": 0.99, "passport_id_card": 0.8}}
    _stub(monkeypatch, worse, [], before=BELOW_FLOOR)
    result = check.run_check(batch["ctx"], batch["proposals"], "bert")
    assert not result["passed"] and "0.879 -> 0.877" in result["error"]
    assert "passport_id_card" in result["error"]
    assert "training/test" not in git(repo, "branch", "--list")


def test_a_batch_below_the_floor_without_before_figures_fails(
    monkeypatch: pytest.MonkeyPatch, batch: dict[str, Any]
) -> None:
    _stub(monkeypatch, BELOW_FLOOR, [])
    batch["ctx"].baseline_model = ""  # nothing to compare with
    result = check.run_check(batch["ctx"], batch["proposals"], "bert")
    assert not result["passed"] and "ondergrens" in result["error"]
