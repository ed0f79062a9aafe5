"""YAML that cannot take the machine down, and credentials in URLs (crm_crew.config.positions, .credentials)."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from crm_crew.config.credentials import check_credentials, url_credential
from crm_crew.config.positions import MAX_ALIAS_EXPANSION, MAX_CONFIG_BYTES, parse_yaml, read_yaml_file
from crm_crew.config.report import Reporter


def nested_aliases(levels: int, width: int) -> str:
    lines = ["l0: &l0 [" + ", ".join(["x"] * width) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_is_refused_before_it_is_built() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parsed = parse_yaml(nested_aliases(levels=12, width=10), "bomb.yaml")   # 10^12 nodes if expanded
    assert parsed.data is None and parsed.error is not None
    assert str(parsed.error) == (f"bomb.yaml:2:10: invalid YAML: aliases expand this document by more than "
                                 f"{MAX_ALIAS_EXPANSION} nodes (nested aliases that multiply, a 'billion laughs' "
                                 "document): write the values out")
    # Peak memory did not grow by anything like the expansion (ru_maxrss is in KiB on Linux).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024


def test_merge_keys_that_multiply_inside_one_node_are_refused() -> None:
    inner = "{a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}"
    for level in range(8):   # each definition nested inside the next: flattening would run first
        inner = f"{{<<: [&n{level} {inner}, " + ", ".join([f"*n{level}"] * 9) + "]}"
    parsed = parse_yaml(f"settings: {inner}\n", "merge.yaml")
    assert parsed.error is not None and "aliases expand this document" in parsed.error.message


def test_aliases_within_the_bound_build_shared_values() -> None:
    parsed = parse_yaml(nested_aliases(levels=3, width=10), "ok.yaml")    # 1,110 nodes: fine
    assert parsed.error is None
    assert parsed.data["l2"][9][9][9] == "x" and len(parsed.data["l2"]) == 10


@pytest.mark.parametrize(("text", "where", "words"), [
    ("a: " + "[" * 100 + "]" * 100 + "\n", "deep.yaml:1:67", "nested more than 64 levels deep"),
    ("a: &a [1, *a]\n", "deep.yaml:1:4", "recursive alias is not supported"),
    ("a: !!python/object/apply:os.system [id]\n", "deep.yaml:1:4", "could not determine a constructor"),
    ("a: !!python/name:os.system\n", "deep.yaml:1:4", "could not determine a constructor"),
])
def test_yaml_that_could_hurt_is_a_problem_with_a_position(text: str, where: str, words: str) -> None:
    parsed = parse_yaml(text, "deep.yaml")
    assert parsed.error is not None and str(parsed.error).startswith(where + ": invalid YAML: ")
    assert words in parsed.error.message


def test_files_over_the_limit_are_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: 1\n" + b"#" * MAX_CONFIG_BYTES)
    parsed = read_yaml_file(path)
    assert str(parsed.error) == f"{path}:1:1: file is larger than 1,000,000 bytes, the limit for a config file: " \
                                "is it the right file?"
    path.write_bytes(b"a: 1\n" + b"#" * (MAX_CONFIG_BYTES - 6) + b"\n")
    assert read_yaml_file(path).data == {"a": 1}


@pytest.mark.parametrize("text", [
    "https://sync:hunter2@crm.example.com/api",
    "postgresql://crm:s3cret@db:5432/crm",
    "redis://:only-a-password@cache:6379/0",
    "see https://x.example.com/hook?token=abc123 for the hook",
    "https://x.example.com/a?page=2&api_key=k-1",
    "https://x.example.com/a?client_secret=zz#frag",
    "ftp://anon:guest@[::1/broken",
])
def test_urls_carrying_a_credential(text: str) -> None:
    assert url_credential(text)


@pytest.mark.parametrize("text", [
    "https://crm.example.com/api/v2",
    "postgresql://crm@db:5432/crm",
    "redis://localhost:6379/0",
    "https://x.example.com/a?page=2&sort=name",
    "https://x.example.com/a?token=",
    "mailto:support@example.com",
    "write to ops@example.com or call +1 555 0100",
    "https://example.com/@team:handle",
    "{home}/crm.sqlite",
])
def test_urls_and_text_without_a_credential(text: str) -> None:
    assert not url_credential(text)


def test_a_credential_is_reported_by_place_never_by_value() -> None:
    data = {"crm": {"options": {"base_url": "https://u:pw-123@h/x", "resources": ["https://h/?sig=s-9"]}},
            "fine": ["https://h/x", 3]}
    text = ("crm:\n  options:\n    base_url: https://u:pw-123@h/x\n    resources: ['https://h/?sig=s-9']\n"
            "fine: [https://h/x, 3]\n")
    rep = Reporter("c.yaml", parse_yaml(text, "c.yaml").source, "settings")
    assert check_credentials(data, rep) == {("crm", "options", "base_url"), ("crm", "options", "resources", 0)}
    shown = [str(p) for p in rep.problems]
    assert [s.split(": ")[0] for s in shown] == ["c.yaml:3:15", "c.yaml:4:17"]
    assert not any("pw-123" in s or "s-9" in s for s in shown)
