"""Reply templates (crm_crew.config.templates): refused before a run, and harmless even if rendered."""

from __future__ import annotations

import pytest
from jinja2.exceptions import SecurityError, TemplateAssertionError, UndefinedError

from crm_crew.config.templates import (
    MAX_RENDERED_CHARS,
    REPLY_VARIABLES,
    UnsafeTemplate,
    compile_reply_template,
    reply_environment,
    template_problems,
)

ESCAPES = [
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__['os'].system('id') }}",
    "{{ namespace.__init__.__globals__.__builtins__.open('/etc/passwd').read() }}",
    "{{ subject.__class__.__mro__[1].__subclasses__() }}",
    "{{ (subject|attr('__class__')).__base__ }}",
    "{{ range.__self__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ self._TemplateReference__context }}",
    "{{ subject.format.__globals__ }}",
]


def messages(source: str) -> list[str]:
    return [p.message for p in template_problems(source)]


@pytest.mark.parametrize("source", ESCAPES)
def test_escapes_from_the_sandbox_are_refused_at_validate(source: str) -> None:
    assert messages(source)
    with pytest.raises(UnsafeTemplate):
        compile_reply_template(source)


@pytest.mark.parametrize("source", ESCAPES)
def test_even_rendered_directly_an_escape_never_runs(source: str) -> None:
    # Past every check, the sandbox itself still refuses: no globals, no underscore attributes, no calls.
    variables = {name: "x" for name in REPLY_VARIABLES}
    with pytest.raises((SecurityError, UndefinedError, TemplateAssertionError)):
        reply_environment().from_string(source).render(variables)


def test_the_documented_variables_filters_and_if_are_enough_for_a_reply() -> None:
    source = ("Hi {{ first_name|title }},\n{% if urgency in ['high', 'critical'] %}We are on it today.{% else %}"
              "We will reply soon.{% endif %}{% if company %} ({{ company|trim }}){% endif %}\n"
              "Re: {{ subject|truncate(40) }} [{{ intent|upper }}/{{ sentiment }}/{{ tier|default('standard') }}]"
              "\n{{ signature }}")
    assert template_problems(source) == []
    text = compile_reply_template(source).render(
        first_name="ana", urgency="high", company=" Fjordline ", subject="Invoice", intent="billing",
        sentiment="negative", tier="", signature="-- Support")
    assert text == "Hi Ana,\nWe are on it today. (Fjordline)\nRe: Invoice [BILLING/negative/]\n-- Support"


@pytest.mark.parametrize(("source", "line", "col", "words"), [
    ("Hi {{ frist_name }}", 1, 7, "unknown variable 'frist_name'"),
    ("Hi\n  {{ first_name | shout }}", 2, 19, "unknown filter 'shout'"),
    ("{% if urgency %}\n{{ subject|nosuch }}{% endif %}", 2, 12, "unknown filter 'nosuch'"),
    ("{% if x is nosuchtest %}{% endif %}", 1, 12, "unknown test 'nosuchtest'"),
    ("ok\n{{ subject }\n", 2, 1, "template syntax error"),
    ("{% for w in subject %}{% endfor %}", 1, 4, "'{% for %}' is not available"),
    ("{% set s = subject %}", 1, 4, "'{% set %}' is not available"),
    ("{% include 'footer.txt' %}", 1, 4, "'{% include %}' is not available"),
    ("{{ subject.upper() }}", 1, 12, "calling functions or methods is not available"),
    ("{{ 'ab' * 123456 }}", 1, 11, "number 123456 is larger than reply templates allow"),
    ("{{ '%s!' % subject }}", 1, 5, "%-formatting is not available"),
    ("x" * 5_001, 1, 1, "template is 5001 characters long (limit 5000)"),
])
def test_problems_have_line_and_column_in_the_template(source: str, line: int, col: int, words: str) -> None:
    found = template_problems(source)
    assert any((p.line, p.col) == (line, col) and words in p.message for p in found), found


@pytest.mark.parametrize("source", [
    "{{ subject * 11 }}",
    "{{ subject|replace('a', 'aaaaaaaaaaaaaaaaaaaaaaaaa') }}",
    "{{ (subject ~ subject ~ subject)|replace(' ', '          ') }}",
    "{{ 10000 ** 10000 }}",
])
def test_values_a_template_builds_are_bounded(source: str) -> None:
    template = compile_reply_template(source)
    with pytest.raises(SecurityError):
        template.render(subject="a " * 1_000)
    assert len(compile_reply_template("{{ subject * 2 }}").render(subject="a" * 2_000)) <= MAX_RENDERED_CHARS
