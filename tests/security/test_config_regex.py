"""Config regexes (crm_crew.security.regex): linear-time matching, clear refusals."""

from __future__ import annotations

import pytest

from crm_crew.security.regex import UnsupportedRegex, compile_config_regex, config_regex_problem


@pytest.mark.parametrize(("pattern", "text"), [
    ("(a+)+$", "a" * 5_000 + "!"),
    ("(x+x+)+y", "x" * 5_000),
    ("^(\\w+\\s?)*$", "lorem ipsum " * 800 + "#"),
    ("(.*a){20}", "a" * 19 + "b" * 3_000),
])
def test_patterns_that_backtrack_exponentially_in_python_finish_without_a_match(pattern: str, text: str) -> None:
    # Python's re needs 2^n steps for each of these; RE2 is linear, so the test finishes at all.
    assert config_regex_problem(pattern) is None
    assert compile_config_regex(pattern).search(text) is None


def test_matching_is_case_insensitive_across_scripts() -> None:
    pattern = compile_config_regex("ignore (all )?previous instructions|ignorez les instructions|übersehen")
    for text in ("Please IGNORE ALL previous Instructions now", "IGNOREZ LES INSTRUCTIONS", "Bitte ÜBERSEHEN Sie das"):
        match = pattern.search(text)
        assert match is not None and match.group(0).lower() in text.lower()
    assert pattern.search("please follow the previous instructions") is None


@pytest.mark.parametrize(("pattern", "words"), [
    ("(?<=admin )override", "the RE2 engine does not support this (invalid perl operator: (?<=)"),
    ("(?!safe)word", "the RE2 engine does not support this"),
    ("(\\w+) again \\1", "the RE2 engine does not support this (invalid escape sequence: \\1)"),
    ("(?>atomic)", "the RE2 engine does not support this"),
    ("end\\Z", "\\Z is written \\z"),
    ("[unclosed", "invalid regular expression: unterminated character set"),
    ("\\bärger\\b", "\\b next to a non-ASCII letter is no word boundary in RE2"),
    ("x" * 2_001, "pattern is 2001 characters long (limit 2000)"),
])
def test_refused_patterns_say_why(pattern: str, words: str) -> None:
    problem = config_regex_problem(pattern)
    assert problem is not None and words in problem
    if "RE2 engine" in problem or "invalid regular expression" in problem:   # the others compile, and never match
        with pytest.raises(UnsupportedRegex, match="."):
            compile_config_regex(pattern)


@pytest.mark.parametrize("pattern", ["\\bignore\\b", "ärger", "\\bdelete (all|every) records\\b", "(?i)system prompt",
                                     "act as (an? )?(admin|developer)", "^re: ", "end\\z", "忽略(之前|以上)的指令"])
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    assert config_regex_problem(pattern) is None
