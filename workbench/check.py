"""The check of a batch: write the approved changes on a new branch, validate, train, test, commit.

Runs in a temporary git worktree of the configured repository (``git worktree add -b <branch>``),
so the operator's checkout and the running assistant are never touched. Steps:

1. apply the batch's approved proposals (examples into their topic files);
2. ``scripts/validate.py`` (``rasa data validate`` + content schema);
3. ``rasa train nlu`` (NLU only; a full ``rasa train`` plus the conversation tests when the batch
   changes rules or responses);
4. ``scripts/nlu_check.py`` on the held-out set ``tests/nlu/``;
5. figures (F1 per intent before/after, confusion pairs and matrix);
6. only when every step passed: ``git commit`` on the branch; otherwise the branch is deleted.

The "before" figures come from the held-out check of ``WORKBENCH_BASELINE_MODEL`` (the model the
assistant runs), cached per model file; without it they are left out.

The held-out step passes when ``scripts/nlu_check.py`` passes. When the base itself already misses
that floor (its "before" check fails too), a batch passes when it makes the held-out accuracy no
lower (:func:`made_worse`; intents whose F1 fell are shown as a warning); the page and the commit
message say that the floor is still missed. Without "before" figures that cannot be
judged, and a batch below the floor fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from workbench import charts, content_edit, dialogue, store
from workbench.nlu_data import add_examples

BRANCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")
#: An intent counts as worse when its held-out F1 drops by more than this.
F1_MARGIN = 0.02
_job_lock = threading.Lock()


class CheckError(RuntimeError):
    """A step of the check failed (message in Dutch)."""


def valid_branch(name: str) -> bool:
    """Whether ``name`` is a safe new branch name."""
    return bool(BRANCH.match(name)) and ".." not in name and not name.endswith((".lock", "/", "."))


@dataclass
class CheckContext:
    """State of one running check."""

    repo: Path
    engine: Engine
    batch_id: int
    branch: str
    baseline_model: str
    work: Path = field(default_factory=Path)
    timings: dict[str, float] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def step(self, text: str) -> None:
        """Show the current step on the status page."""
        self.log.append(f"{time.strftime('%H:%M:%S')} {text}")
        store.update_batch(self.engine, self.batch_id, step=text, log="\n".join(self.log))


def _env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(work),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return env


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def run(ctx: CheckContext, name: str, cmd: list[str], cwd: Path, timeout: float = 3600) -> str:
    """Run one command, time it, keep its output tail in the log; raise on failure."""
    started = time.monotonic()
    process = subprocess.run(cmd, cwd=cwd, env=_env(cwd), capture_output=True, text=True, timeout=timeout)
    ctx.timings[name] = round(time.monotonic() - started, 1)
    output = (process.stdout or "") + (process.stderr or "")
    if process.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-25:])
        ctx.log.append(f"--- {name} (exit {process.returncode}) ---\n{tail}")
        raise CheckError(f"stap '{name}' is niet geslaagd")
    return output


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo``; return stdout."""
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def apply_proposals(work: Path, proposals: list[dict[str, Any]]) -> list[str]:
    """Write the proposals into the worktree; returns the changed files (relative)."""
    changed: list[str] = []
    by_intent: dict[str, list[str]] = {}
    for proposal in proposals:
        if proposal["kind"] == "example":
            by_intent.setdefault(proposal["payload"]["intent"], []).append(proposal["payload"]["text"])
    for intent, texts in sorted(by_intent.items()):
        path, _lines = add_examples(work, intent, texts)
        changed.append(str(path))
    for proposal in proposals:
        if proposal["kind"] == "rule":
            changed.extend(dialogue.apply_rule(work, proposal["payload"]))
        elif proposal["kind"] == "content":
            changed.append(content_edit.apply_changes(work, proposal["payload"]))
    return sorted(set(changed))


def _link_runtime(repo: Path, work: Path) -> None:
    """Make the venv and the prepared spaCy pipeline of ``repo`` visible in the worktree."""
    for relative in (".venv", "var/spacy-nl"):
        source = repo / relative
        if source.exists() and not (work / relative).exists():
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            (work / relative).symlink_to(source.resolve())


def held_out(ctx: CheckContext, model: str, cwd: Path, out: Path, name: str) -> dict[str, Any]:
    """Run the held-out check; returns report, errors, successes and whether it passed."""
    cmd = [_bin("python"), "scripts/nlu_check.py", "--model", model, "--out", str(out)]
    started = time.monotonic()
    process = subprocess.run(cmd, cwd=cwd, env=_env(cwd), capture_output=True, text=True, timeout=3600)
    ctx.timings[name] = round(time.monotonic() - started, 1)

    def load(file: str) -> Any:
        path = out / file
        return json.loads(path.read_text()) if path.exists() else ([] if file != "intent_report.json" else {})

    report = load("intent_report.json")
    return {
        "passed": process.returncode == 0,
        "accuracy": float(report.get("accuracy", 0.0)) if isinstance(report, dict) else 0.0,
        "f1": charts.per_intent_f1(report) if isinstance(report, dict) else {},
        "errors": load("intent_errors.json"),
        "successes": load("intent_successes.json"),
        "output": "\n".join((process.stdout or "").splitlines()[-60:]),
    }


def baseline(ctx: CheckContext, cache_dir: Path) -> dict[str, Any] | None:
    """Held-out figures before the batch ("voor"), cached.

    From ``WORKBENCH_BASELINE_MODEL`` when that file exists (cached by its size and time);
    otherwise the base commit is trained (NLU only) in the worktree before the batch is applied
    (cached by commit). Returns None when that fails: the check then shows only "after" figures.
    """
    if not ctx.baseline_model:
        return None  # WORKBENCH_BASELINE_MODEL="" turns the "before" figures off (saves a training)
    model = Path(ctx.baseline_model)
    if model.is_file():
        stat = model.stat()
        cache = cache_dir / f"baseline-model-{stat.st_size}-{int(stat.st_mtime)}.json"
    else:
        cache = cache_dir / f"baseline-commit-{git(ctx.work, 'rev-parse', 'HEAD').strip()}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    try:
        if not model.is_file():
            ctx.step("huidige stand trainen voor de vergelijking (rasa train nlu)")
            run(
                ctx,
                "training huidige stand",
                [
                    _bin("rasa"),
                    "train",
                    "nlu",
                    "--config",
                    "config.yml",
                    "--nlu",
                    "data",
                    "--out",
                    "models",
                    "--fixed-model-name",
                    "before",
                ],
                ctx.work,
            )
            model = ctx.work / "models/before.tar.gz"
        ctx.step("figuren van de huidige stand berekenen (voor)")
        result = held_out(ctx, str(model), ctx.work, ctx.work / "reports/before", "controle huidige stand")
    except CheckError:
        return None
    summary = {
        "accuracy": result["accuracy"],
        "f1": result["f1"],
        "pairs": charts.confusion_pairs(result["errors"]),
        "passed": result["passed"],
    }
    cache.write_text(json.dumps(summary))
    return summary


def made_worse(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Why the batch made the held-out result worse: fewer held-out lines right (lower accuracy).

    Intents whose F1 dropped by more than :data:`F1_MARGIN` are named with it; on their own they
    only warn (``worse`` on the page): with a few held-out lines per intent one line moves F1 by
    more than that margin.
    """
    if after["accuracy"] >= before["accuracy"]:
        return []
    old = before.get("f1") or {}
    intents = sorted(n for n, f in after["f1"].items() if n in old and f < old[n] - F1_MARGIN)
    return [f"nauwkeurigheid {before['accuracy']:.3f} -> {after['accuracy']:.3f}", *intents]


def commit_message(
    proposals: list[dict[str, Any]],
    lead: str,
    before: float | None,
    after: float | None,
    below_floor: bool = False,
) -> str:
    """A readable commit message: what was added or changed, by whom, and the figures."""
    examples = [p for p in proposals if p["kind"] == "example"]
    rules = [p for p in proposals if p["kind"] == "rule"]
    content = [p for p in proposals if p["kind"] == "content"]
    parts = []
    if examples:
        intents = sorted({p["payload"]["intent"] for p in examples})
        parts.append(f"{len(examples)} voorbeeld(en) ({', '.join(intents)})")
    if rules:
        parts.append(f"{len(rules)} regel(s) ({', '.join(p['payload']['intent'] for p in rules)})")
    if content:
        parts.append("antwoorden van " + ", ".join(sorted({p["payload"]["municipality"] for p in content})))
    lines = [f"training: {'; '.join(parts)} via de Trainerswerkplaats"[:200], ""]
    for p in examples:
        lines.append(
            f'- {p["payload"]["intent"]}: "{p["payload"]["text"]}" (voorgesteld door {p["proposed_by"]})'
        )
    for p in rules:
        lines.append(
            f"- regel: bij '{p['payload']['intent']}' antwoordt de assistent met "
            f"'{p['payload']['action']}' (voorgesteld door {p['proposed_by']})"
        )
    for p in content:
        for path, value in p["payload"]["changes"].items():
            lines.append(
                f"- {p['payload']['municipality']}: {path} = {value} (voorgesteld door {p['proposed_by']})"
            )
    lines.append("")
    lines.append(f"Goedgekeurd door {lead}.")
    if after is None:
        lines.append("Controle: scripts/validate.py (rasa data validate en het inhoudsschema) geslaagd.")
    else:
        figures = f"{before:.3f} -> {after:.3f}" if before is not None else f"{after:.3f}"
        if below_floor:
            lines.append(
                f"Testset-nauwkeurigheid: {figures} (validatie en training geslaagd"
                + ("; gesprekstesten geslaagd" if rules else "")
                + "; scripts/nlu_check.py haalt de ondergrens nog niet, net als voor deze partij;"
                " de nauwkeurigheid is niet lager geworden)."
            )
        else:
            lines.append(
                f"Testset-nauwkeurigheid: {figures} (validatie, training en scripts/nlu_check.py geslaagd"
                + ("; gesprekstesten geslaagd)." if rules else ").")
            )
    return "\n".join(lines) + "\n"


def _commit(
    ctx: CheckContext,
    proposals: list[dict[str, Any]],
    lead: str,
    result: dict[str, Any],
    changed: list[str],
    before: float | None,
    after: float | None,
) -> dict[str, Any]:
    """Commit the changed files on the batch's branch and complete ``result``."""
    ctx.step("vastleggen in git")
    git(ctx.work, "add", "--", *changed)
    message = commit_message(proposals, lead, before, after, bool(result.get("below_floor")))
    git(
        ctx.work,
        "-c",
        f"user.name={lead} (Trainerswerkplaats)",
        "-c",
        f"user.email={lead}@trainerswerkplaats.invalid",
        "commit",
        "--quiet",
        "-m",
        message,
    )
    result["commit"] = git(ctx.work, "rev-parse", "--short", "HEAD").strip()
    result["message"] = message
    result["passed"] = True
    ctx.step(f"klaar: vastgelegd als {result['commit']} op tak {ctx.branch}")
    return result


def run_check(
    ctx: CheckContext,
    proposals: list[dict[str, Any]],
    lead: str,
    on_done: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run the whole check for one batch (blocking; call it in a thread).

    Returns:
        The batch result (also stored on the batch).
    """
    result: dict[str, Any] = {"passed": False}
    store.update_batch(ctx.engine, ctx.batch_id, status="running")
    artefacts = ctx.repo / "var/workbench/batches" / str(ctx.batch_id)
    artefacts.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="workbench-check-"))
    ctx.work = tmp / "work"
    branch_created = False
    started = time.monotonic()
    try:
        ctx.step(f"nieuwe tak {ctx.branch} aanmaken")
        git(ctx.repo, "worktree", "add", "--quiet", "-b", ctx.branch, str(ctx.work), "HEAD")
        branch_created = True
        _link_runtime(ctx.repo, ctx.work)
        if (
            "var/spacy-nl" in (ctx.work / "config.yml").read_text(encoding="utf-8")
            and not (ctx.work / "var/spacy-nl").exists()
        ):
            raise CheckError(
                "de Nederlandse taalmodule (var/spacy-nl) ontbreekt; vraag de beheerder om make install"
            )
        kinds = {p["kind"] for p in proposals}
        before = baseline(ctx, artefacts.parent) if kinds != {"content"} else None
        ctx.step("wijzigingen in de bestanden zetten")
        changed = apply_proposals(ctx.work, proposals)
        result["changed"] = changed
        result["diff"] = git(ctx.work, "diff", "--", *changed)
        ctx.step("trainingsdata controleren (rasa data validate)")
        run(ctx, "validatie", [_bin("python"), "scripts/validate.py"], ctx.work)
        if kinds == {"content"}:
            return _commit(ctx, proposals, lead, result, changed, None, None)
        if "rule" in kinds:
            ctx.step("assistent trainen (rasa train: taal en gesprekken)")
            run(
                ctx,
                "training (volledig)",
                [
                    _bin("rasa"),
                    "train",
                    "--config",
                    "config.yml",
                    "--domain",
                    "domain",
                    "--data",
                    "data",
                    "--out",
                    "models",
                    "--fixed-model-name",
                    "nlu",
                ],
                ctx.work,
            )
            ctx.step("gesprekstesten (rasa test core, tests/stories)")
            run(
                ctx,
                "gesprekstesten",
                [
                    _bin("rasa"),
                    "test",
                    "core",
                    "--model",
                    "models/nlu.tar.gz",
                    "--stories",
                    "tests/stories",
                    "--fail-on-prediction-errors",
                    "--out",
                    "reports/core",
                    "--no-plot",
                ],
                ctx.work,
            )
        else:
            ctx.step("taalmodel trainen (rasa train nlu)")
            run(
                ctx,
                "training (nlu)",
                [
                    _bin("rasa"),
                    "train",
                    "nlu",
                    "--config",
                    "config.yml",
                    "--nlu",
                    "data",
                    "--out",
                    "models",
                    "--fixed-model-name",
                    "nlu",
                ],
                ctx.work,
            )
        ctx.step("controle op de testset (scripts/nlu_check.py)")
        after = held_out(ctx, "models/nlu.tar.gz", ctx.work, ctx.work / "reports/nlu", "controle testset")
        pairs = charts.confusion_pairs(after["errors"])
        charts.f1_chart(after["f1"], before["f1"] if before else None, artefacts / "f1.png")
        confused = charts.confusion_chart(after["errors"], after["successes"], artefacts / "confusion.png")
        result.update(
            accuracy=after["accuracy"],
            before_accuracy=before["accuracy"] if before else None,
            pairs=pairs,
            before_pairs=before["pairs"] if before else None,
            confused=confused,
            check_output=after["output"],
            worse=sorted(
                n for n, f in after["f1"].items() if before and f < before["f1"].get(n, 0) - F1_MARGIN
            ),
        )
        if not after["passed"]:
            if not before or before.get("passed", True):
                raise CheckError("de controle op de testset haalt de ondergrens niet")
            # the base misses the floor as well: the batch must not make anything worse
            worse = made_worse(before, after)
            if worse:
                raise CheckError(
                    "de controle op de testset haalt de ondergrens niet en deze partij maakt "
                    f"het slechter: {', '.join(worse)}"
                )
            result["below_floor"] = True
        if "rule" in kinds:
            shutil.copy(ctx.work / "models/nlu.tar.gz", artefacts / "model.tar.gz")
            result["model"] = str(artefacts / "model.tar.gz")
        _commit(ctx, proposals, lead, result, changed, result["before_accuracy"], after["accuracy"])
    except (
        CheckError,
        subprocess.CalledProcessError,
        subprocess.TimeoutExpired,
        OSError,
        ValueError,
    ) as error:
        detail = getattr(error, "stderr", "") or ""
        result["error"] = (
            str(error) if isinstance(error, CheckError) else f"technische fout: {error} {detail}".strip()
        )
        ctx.step(f"niet geslaagd: {result['error']}")
    finally:
        result["timings"] = {**ctx.timings, "totaal": round(time.monotonic() - started, 1)}
        if ctx.work.exists():
            subprocess.run(
                ["git", "-C", str(ctx.repo), "worktree", "remove", "--force", str(ctx.work)],
                capture_output=True,
            )
        if branch_created and not result["passed"]:
            subprocess.run(["git", "-C", str(ctx.repo), "branch", "-D", ctx.branch], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
        store.update_batch(
            ctx.engine,
            ctx.batch_id,
            status="committed" if result["passed"] else "failed",
            finished_at=time.time(),
            result=result,
            log="\n".join(ctx.log),
        )
        store.set_proposal_status(
            ctx.engine, [p["id"] for p in proposals], "committed" if result["passed"] else "approved"
        )
        if on_done:
            on_done(result)
    return result


def start_check(ctx: CheckContext, proposals: list[dict[str, Any]], lead: str) -> bool:
    """Start :func:`run_check` in a background thread; False when a check is already running."""
    if not _job_lock.acquire(blocking=False):
        return False

    def target() -> None:
        try:
            run_check(ctx, proposals, lead)
        finally:
            _job_lock.release()

    threading.Thread(target=target, name=f"workbench-check-{ctx.batch_id}", daemon=True).start()
    return True


def check_running() -> bool:
    """Whether a check is running in this process."""
    if _job_lock.acquire(blocking=False):
        _job_lock.release()
        return False
    return True
