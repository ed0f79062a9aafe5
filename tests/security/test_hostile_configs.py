"""Hostile configs through the real `crm-crew validate`: nothing that runs code, exhausts memory,
hangs or leaks a credential gets past it, and each refusal names file:line:col.

Each folder under data/configs/ holds the files that differ from the shipped config.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from crm_crew.config.positions import MAX_CONFIG_BYTES
from tests.e2e.clihelp import CONFIG, cli, read_jsonl, write_jsonl

DATA = Path(__file__).parent / "data" / "configs"

# case -> (file, text the problem points at, words the message must contain)
EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "template_code_execution": [
        ("replies.yaml", "cycler", "unknown variable 'cycler'"),
        ("replies.yaml", "__init__", "access to '__init__' is not allowed"),
        ("replies.yaml", "__class__", "access to '__class__' is not allowed"),
        ("replies.yaml", "lipsum", "unknown variable 'lipsum'"),
        ("replies.yaml", "attr(", "unknown filter 'attr'"),
    ],
    "template_syntax_and_names": [
        ("replies.yaml", "subjct", "unknown variable 'subjct'"),
        ("replies.yaml", "{{ signature }}", "template syntax error: Unexpected end of template"),
        ("replies.yaml", "shout", "unknown filter 'shout'"),
        ("replies.yaml", "account_balance", "unknown variable 'account_balance'"),
    ],
    "template_runaway": [
        ("replies.yaml", "for a in", "'{% for %}' is not available"),
        ("replies.yaml", "900000000", "number 900000000 is larger than reply templates allow"),
        ("replies.yaml", "%099", "%-formatting is not available"),
        ("replies.yaml", "macro again", "'{% macro %}' is not available"),
        ("replies.yaml", "include", "'{% include %}' is not available"),
    ],
    "yaml_billion_laughs": [("crm-crew.yaml", "*lol0", "aliases expand this document by more than 10000 nodes")],
    "yaml_merge_bomb": [("crm-crew.yaml", "*m0", "aliases expand this document by more than 10000 nodes")],
    # 64 levels in all: two mappings, then the 63rd bracket.
    "yaml_deep_nesting": [("tasks.yaml", "[" * (3000 - 62) + "]", "nested more than 64 levels deep")],
    "yaml_python_tag": [("crm-crew.yaml", "!!python/object/apply", "could not determine a constructor")],
    "yaml_recursive_alias": [("crm-crew.yaml", "&loop", "recursive alias is not supported")],
    "regex_unsupported": [
        ("crm-crew.yaml", "(?<=admin", "the RE2 engine does not support this"),
        ("crm-crew.yaml", "(\\w+) and", "the RE2 engine does not support this"),
        ("crm-crew.yaml", "\\bübersehen", "no word boundary in RE2"),
        ("crm-crew.yaml", "(unbalanced", "invalid regular expression: missing )"),
    ],
    "url_credential_in_options": [
        ("crm-crew.yaml", "https://sync-bot", "crm.options.base_url: a URL must not carry a credential"),
        ("crm-crew.yaml", "postgresql://", "store.url: a URL must not carry a credential"),
    ],
    "url_credential_in_text": [
        ("crm-crew.yaml", "https://llm-proxy", "llm.anthropic.base_url: a URL must not carry a credential"),
        ("crm-crew.yaml", ">-", "intents.other.description: a URL must not carry a credential"),
    ],
    "credential_key": [
        ("crm-crew.yaml", "api_key:", "credential 'api_key' must not be in YAML"),
        ("crm-crew.yaml", "client_secret:", "credential 'client_secret' must not be in YAML"),
    ],
}
# Values that must never be repeated in any output.
SECRETS: tuple[str, ...] = ("Tr0ub4dor-and-3", "pg-Pa55word", "sk-proxy-5d41402abc4b2a76", "ghp-wiki-token-77e1",
                            "sk-ant-api03-never-in-yaml-9f8e7d", "cs-live-0a1b2c3d")


def config_with(tmp_path: Path, *overlays: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(CONFIG, folder, ignore=shutil.ignore_patterns("samples"))
    for overlay in overlays:
        for file in overlay.iterdir():
            shutil.copy(file, folder / file.name)
    return folder


def position(path: Path, needle: str) -> str:
    text = path.read_text(encoding="utf-8")
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    return f"{path}:{line}:{index - text.rfind(chr(10), 0, index)}"


def test_every_case_in_the_corpus_has_expectations() -> None:
    assert sorted(p.name for p in DATA.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_validate_refuses_the_hostile_config(case: str, tmp_path: Path) -> None:
    folder = config_with(tmp_path, DATA / case)
    result = cli("validate", "--config", str(folder), home=tmp_path / "state")
    assert result.code == 1 and "config OK" not in result.out
    lines = result.err.splitlines()
    for file, needle, words in EXPECTED[case]:
        where = position(folder / file, needle)
        assert any(line.startswith(f"{where}: ") and words in line for line in lines), \
            f"expected {where}: ...{words}... in:\n{result.err}"
    assert not any(secret in result.out + result.err for secret in SECRETS)


def test_a_config_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    folder = config_with(tmp_path)
    filler = "# padding that a config file never needs\n"
    (folder / "agents.yaml").write_text(filler * (MAX_CONFIG_BYTES // len(filler) + 1), encoding="utf-8")
    result = cli("validate", "--config", str(folder), home=tmp_path / "state")
    assert result.code == 1
    assert f"{folder / 'agents.yaml'}:1:1: file is larger than 1,000,000 bytes" in result.err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_in_place_of_a_config_file_is_refused_not_waited_on(tmp_path: Path) -> None:
    folder = config_with(tmp_path)
    (folder / "replies.yaml").unlink()
    os.mkfifo(folder / "replies.yaml")
    result = cli("validate", "--config", str(folder), home=tmp_path / "state")
    assert result.code == 1 and f"{folder / 'replies.yaml'}:1:1: cannot read file: not a regular file" in result.err


def test_merge_keys_and_shared_lists_within_the_bound_still_load(tmp_path: Path) -> None:
    folder = config_with(tmp_path)
    (folder / "crm-crew.yaml").write_text(
        "x-defaults: &urgent_rule {when: {urgency: [critical]}, reason: needs a person}\n"
        "x-domains: &free [gmail.com, outlook.com, yahoo.com]\n"
        "matching:\n  free_mail_domains: *free\n  non_human_senders: [noreply, mailer-daemon]\n"
        "escalation:\n  rules:\n    - {<<: *urgent_rule, name: critical_first}\n"
        "    - {<<: *urgent_rule, name: critical_again, reason: twice}\n", encoding="utf-8")
    result = cli("validate", "--config", str(folder), home=tmp_path / "state")
    # Only the unknown top-level keys are wrong: the aliases themselves are fine.
    assert result.code == 1 and "aliases" not in result.err
    assert [line.split(": ", 1)[1] for line in result.err.splitlines()[:2]] == [
        "unknown key 'x-defaults'", "unknown key 'x-domains'"]


def test_a_pattern_that_backtracks_catastrophically_in_python_does_not_hang_a_run(tmp_path: Path) -> None:
    folder = config_with(tmp_path)
    settings = folder / "crm-crew.yaml"
    text = settings.read_text(encoding="utf-8")
    patterns = "  injection_patterns:\n    custom: ['(a+)+$', '(x+x+)+y', '^(\\w+\\s?)*$']\n"
    settings.write_text(text.replace("  injection_patterns:\n", patterns, 1), encoding="utf-8")
    assert cli("validate", "--config", str(folder), home=tmp_path / "state").code == 0
    inbox = write_jsonl(tmp_path / "in.jsonl", [{
        "id": "slow-1", "from": "Ola Nordmann <ola@fjordline.no>", "subject": "a" * 500 + "!",
        "body": "x" * 20_000 + "\n" + "word " * 3_000 + "!"}])
    out = tmp_path / "out.jsonl"
    result = cli("run", str(inbox), "--config", str(folder), "--out", str(out), "--json", home=tmp_path / "state")
    assert result.code == 0, result.err
    [record] = read_jsonl(out)
    assert record["interaction_id"] == "slow-1" and record["status"] in ("processed", "escalated")
    assert json.loads(result.out)["interactions"] == 1
