"""Config loading: the shipped files validate, and broken ones give exact file:line:col messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import crm_crew
from crm_crew.config import (
    INTERACTION_PLACEHOLDERS,
    RUN_PLACEHOLDERS,
    CrewConfig,
    Problem,
    default_config_dir,
    load_config,
    resolve_config_dir,
)
from crm_crew.config.models import ROLES
from crm_crew.config.positions import Pos, parse_yaml
from crm_crew.errors import ConfigError
from crm_crew.testing.configs import with_crew_v1
from crm_crew.tools.registry import tool_names

SHIPPED = Path(crm_crew.__file__).parents[1] / "config"


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped config at ./config, so problems name `config/<file>`."""
    shutil.copytree(SHIPPED, tmp_path / "config")
    monkeypatch.chdir(tmp_path)
    return Path("config")


@pytest.fixture
def older_cfg(cfg: Path) -> Path:
    """The shipped config with agents.yaml and tasks.yaml as shipped before, one task pinned to each agent:
    a user's older files, which must still load and be checked."""
    return with_crew_v1(cfg)


def edit(cfg: Path, name: str, old: str, new: str) -> None:
    path = cfg / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def at(cfg: Path, name: str, needle: str, offset: int = 0, after: str | None = None) -> str:
    """`config/<name>:line:col` of `needle` (plus `offset` characters) in the file.

    `needle` must be unique, or else is the first one after the unique text `after`.
    """
    text = (cfg / name).read_text(encoding="utf-8")
    start = 0
    if after is not None:
        assert text.count(after) == 1, f"{after!r} must occur once in {name}"
        start = text.index(after)
    else:
        assert text.count(needle) == 1, f"{needle!r} must occur once in {name}"
    index = text.index(needle, start) + offset
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{cfg / name}:{line}:{col}"


def problems(cfg: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(cfg)
    assert all(isinstance(p, Problem) for p in caught.value.problems)
    assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
    return [str(p) for p in caught.value.problems]


# --- the shipped config ------------------------------------------------------------------


def test_shipped_config_loads_cleanly() -> None:
    config = load_config(default_config_dir())
    assert isinstance(config, CrewConfig)
    assert list(config.agents) == list(ROLES)
    assert [name for name, _ in config.interaction_tasks()] == ["handle_interaction"]
    assert config.tasks["handle_interaction"].agent is None     # the coordinator chooses
    assert [name for name, _ in config.run_tasks()] == ["summarize_run"]
    assert config.agents["coordinator"].allow_delegation is True
    assert config.agents["data"].tools == ["read_interaction", "extract_signature", "find_contact", "get_contact_history"]
    assert config.agents["action"].tools == ["plan_changes", "read_interaction"]
    settings = config.settings
    assert settings.crm.type == "local" and settings.crm.options == {"path": "{home}/crm.sqlite"}
    assert settings.llm.anthropic.timeout_s == 60.0 and settings.llm.anthropic.base_url is None
    assert settings.urgency.levels == ["low", "medium", "high", "critical"]
    assert "other" in settings.intents
    assert settings.escalation.rules[1].when.sentiment == ["negative"]
    assert settings.permissions == {"action": ["create_contact", "log_activity", "create_case", "create_task",
                                               "update_lead_status", "opt_out"],
                                    "communication": ["send_reply"]}
    assert settings.replies.mode == "draft" and settings.replies.smtp.password_env == "CRM_CREW_SMTP_PASSWORD"


def test_default_and_resolved_config_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_config_dir() == SHIPPED
    monkeypatch.delenv("CRM_CREW_CONFIG", raising=False)
    assert resolve_config_dir(None) == SHIPPED
    monkeypatch.setenv("CRM_CREW_CONFIG", "/somewhere/env")
    assert resolve_config_dir(None) == Path("/somewhere/env")
    assert resolve_config_dir("/somewhere/option") == Path("/somewhere/option")


def test_placeholder_sets() -> None:
    assert INTERACTION_PLACEHOLDERS == {"interaction_id", "channel", "sender_email", "sender_name", "subject",
                                        "body", "received_at", "intents", "urgency_levels"}
    assert RUN_PLACEHOLDERS == {"run_id", "interaction_count"}


def test_keys_left_out_take_the_shipped_values(cfg: Path) -> None:
    shipped = load_config(Path("config")).settings
    (cfg / "crm-crew.yaml").write_text("crm: {type: local}\nlimits: {max_body_chars: 5000}\n", encoding="utf-8")
    settings = load_config(cfg).settings
    assert settings.limits.max_body_chars == 5000
    assert settings.limits.model_text_chars == shipped.limits.model_text_chars
    assert settings.model_dump(exclude={"limits"}) == shipped.model_dump(exclude={"limits"})
    (cfg / "crm-crew.yaml").write_text("", encoding="utf-8")
    assert load_config(cfg).settings == shipped


# --- agents.yaml -------------------------------------------------------------------------


def test_unknown_key_with_hint(cfg: Path) -> None:
    edit(cfg, "agents.yaml", "  role: Data Steward\n", "  role: Data Steward\n  max_iters: 3\n")
    assert problems(cfg) == [
        f"{at(cfg, 'agents.yaml', 'max_iters')}: agent 'data': unknown key 'max_iters' (did you mean 'max_iter'?)"]


def test_wrong_type(cfg: Path) -> None:
    edit(cfg, "agents.yaml", "  max_iter: 8\n\ncommunication:", "  max_iter: ten\n\ncommunication:")
    edit(cfg, "agents.yaml", "  role: Security Officer\n", "  role: Security Officer\n  verbose: 'no'\n")
    assert problems(cfg) == [
        f"{at(cfg, 'agents.yaml', chr(39) + 'no')}: agent 'security': 'verbose' must be true or false, got 'no'",
        f"{at(cfg, 'agents.yaml', 'max_iter: ten', 10)}: agent 'data': 'max_iter' must be an integer, got 'ten'",
    ]


def test_unknown_tool_with_hint(older_cfg: Path) -> None:
    cfg = older_cfg
    edit(cfg, "agents.yaml", "plan_create_case,", "plan_create_cse,")
    edit(cfg, "agents.yaml", "tools: [run_statistics]", "tools: [run_statistics, zzz]")
    assert problems(cfg) == [
        f"{at(cfg, 'agents.yaml', 'plan_create_cse')}: agent 'action': unknown tool 'plan_create_cse'"
        " (did you mean 'plan_create_case'?)",
        f"{at(cfg, 'agents.yaml', 'zzz')}: agent 'analytics': unknown tool 'zzz' (known: {', '.join(tool_names())})",
    ]


def test_agent_without_llm_and_bad_model_string(cfg: Path) -> None:
    edit(cfg, "agents.yaml", "  llm: offline\n  tools: [run_statistics]", "  tools: [run_statistics]")
    edit(cfg, "agents.yaml", "  llm: offline\n  tools: [get_screening_report]",
         "  llm: anthropc/claude\n  tools: [get_screening_report]")
    assert problems(cfg) == [
        f"{at(cfg, 'agents.yaml', 'anthropc')}: agent 'security': unknown model provider 'anthropc' (known: anthropic)",
        f"{at(cfg, 'agents.yaml', 'analytics:')}: agent 'analytics': missing required key 'llm'"
        " (set it to 'offline' or 'anthropic/<model>')",
    ]


def test_roles_and_coordinator(older_cfg: Path) -> None:
    cfg = older_cfg
    text = (cfg / "agents.yaml").read_text(encoding="utf-8")
    (cfg / "agents.yaml").write_text(text.replace("\nanalytics:", "\nanalytic:"), encoding="utf-8")
    edit(cfg, "agents.yaml", "  tools: []\n  allow_delegation: true\n",
         "  tools: [find_contact]\n  allow_delegation: false\n")
    edit(cfg, "tasks.yaml", "  agent: security\n", "  agent: coordinator\n")
    edit(cfg, "tasks.yaml", "  agent: analytics\n", "  agent: analytic\n")
    assert problems(cfg) == [
        "config/agents.yaml:1:1: missing agent 'analytics' "
        "(the crew needs: coordinator, security, data, communication, action, analytics)",
        f"{at(cfg, 'agents.yaml', '[find_contact]')}: agent 'coordinator': must have no tools "
        "(the coordinator is the crew's hierarchical manager: it only delegates)",
        f"{at(cfg, 'agents.yaml', 'false', after='coordinator:')}: agent 'coordinator': 'allow_delegation' must be true "
        "(the coordinator is the crew's hierarchical manager)",
        f"{at(cfg, 'tasks.yaml', 'coordinator')}: task 'screen_interaction': agent 'coordinator' "
        "is the crew's manager and cannot be given a task",
    ]


def test_duplicate_key(cfg: Path) -> None:
    edit(cfg, "agents.yaml", "  role: Data Steward\n", "  role: Data Steward\n  role: Data Keeper\n")
    first_line = at(cfg, "agents.yaml", "role: Data Steward").split(":")[1]
    assert problems(cfg) == [
        f"{at(cfg, 'agents.yaml', 'role: Data Keeper')}: agent 'data': duplicate key 'role'"
        f" (first defined at line {first_line})"]


def test_yaml_syntax_error(cfg: Path) -> None:
    edit(cfg, "agents.yaml", "  role: Analytics Lead\n", "  role: Analytics: Lead\n")
    assert problems(cfg) == [
        f"{at(cfg, 'agents.yaml', ': Lead')}: invalid YAML: mapping values are not allowed here"]


def test_yaml_indentation_error(older_cfg: Path) -> None:
    cfg = older_cfg
    edit(cfg, "tasks.yaml", "  agent: data\n", "  agent: data\n   scope: run\n")
    assert problems(cfg) == [f"{at(cfg, 'tasks.yaml', '   scope: run', 8)}: invalid YAML: mapping values are not allowed here"]


def test_credential_values_are_rejected(cfg: Path) -> None:
    edit(cfg, "crm-crew.yaml", '    path: "{home}/crm.sqlite"\n', '    path: "{home}/crm.sqlite"\n    password: hunter2\n')
    edit(cfg, "crm-crew.yaml", "    api_key_env: ANTHROPIC_API_KEY\n", "    api_key: sk-ant-123\n")
    edit(cfg, "agents.yaml", "  role: Data Steward\n", "  role: Data Steward\n  github_token: ghp_1\n")
    hint = "put the value in an environment variable and name it in"
    assert problems(cfg) == [
        f"{at(cfg, 'agents.yaml', 'github_token')}: agent 'data': credential 'github_token' must not be in YAML: "
        f"{hint} `github_token_env`",
        f"{at(cfg, 'crm-crew.yaml', '    password:', 4)}: crm.options: credential 'password' must not be in YAML: "
        f"{hint} `password_env`",
        f"{at(cfg, 'crm-crew.yaml', 'api_key:')}: llm.anthropic: credential 'api_key' must not be in YAML: "
        f"{hint} `api_key_env`",
    ]


# --- tasks.yaml --------------------------------------------------------------------------


def test_unknown_placeholder_in_literal_block(older_cfg: Path) -> None:
    cfg = older_cfg
    edit(cfg, "tasks.yaml", "    {body}\n", "    {bodyy}\n")
    edit(cfg, "tasks.yaml", "from {urgency_levels}", "from {urgency_levels} {run_id}")
    assert problems(cfg) == [
        f"{at(cfg, 'tasks.yaml', '{bodyy}')}: task 'assess_message': placeholder {{bodyy}} is not provided to "
        "interaction tasks (did you mean {body}?)",
        f"{at(cfg, 'tasks.yaml', '{urgency_levels} {run_id}', 17)}: task 'assess_message': placeholder {{run_id}} is not provided to "
        "interaction tasks (available: {interaction_id}, {channel}, {sender_email}, {sender_name}, {subject}, "
        "{body}, {received_at}, {intents}, {urgency_levels})",
    ]


def test_unknown_placeholder_single_line_and_folded(older_cfg: Path) -> None:
    cfg = older_cfg
    edit(cfg, "tasks.yaml", "  expected_output: >-\n    One short paragraph: safe or not, and the flags found.",
         "  expected_output: One short paragraph for {sender_mail}, safe or not.")
    edit(cfg, "tasks.yaml", "Summarize run {run_id} over", "Summarize run {run_idd} over")
    assert problems(cfg) == [
        f"{at(cfg, 'tasks.yaml', '{sender_mail}')}: task 'screen_interaction': placeholder {{sender_mail}} "
        "is not provided to interaction tasks (did you mean {sender_email}?)",
        # folded (>-) scalars: the start of the value
        f"{at(cfg, 'tasks.yaml', '>-', after='summarize_run:')}: "
        "task 'summarize_run': placeholder {run_idd} is not provided to run tasks (did you mean {run_id}?)",
    ]


def test_placeholder_in_agent(cfg: Path) -> None:
    edit(cfg, "agents.yaml", "  role: Data Steward\n", "  role: Data Steward for {channel}\n")
    assert problems(cfg) == [
        f"{at(cfg, 'agents.yaml', '{channel}')}: agent 'data': placeholder {{channel}} is not provided to agents "
        "(an agent serves both interaction and run tasks: use placeholders in task descriptions)"]


def test_context_must_name_an_earlier_task_of_the_same_scope(older_cfg: Path) -> None:
    cfg = older_cfg
    edit(cfg, "tasks.yaml", "  context: [screen_interaction]", "  context: [plan_actions]")
    edit(cfg, "tasks.yaml", "  context: [match_contact, assess_message]",
         "  context: [match_contact, asess_message]")
    edit(cfg, "tasks.yaml", "  agent: analytics\n", "  agent: analytics\n  context: [plan_actions]\n")
    assert problems(cfg) == [
        f"{at(cfg, 'tasks.yaml', 'plan_actions', after='match_contact:')}: task 'match_contact': context task 'plan_actions' "
        "is defined later in tasks.yaml (context may only name earlier tasks)",
        f"{at(cfg, 'tasks.yaml', 'asess_message')}: task 'plan_actions': context names unknown task "
        "'asess_message' (did you mean 'assess_message'?)",
        f"{at(cfg, 'tasks.yaml', 'plan_actions', after='summarize_run:')}: task 'summarize_run': context task "
        "'plan_actions' has scope 'interaction', not 'run'",
    ]


# --- crm-crew.yaml -----------------------------------------------------------------------


def test_unknown_connector(cfg: Path) -> None:
    edit(cfg, "crm-crew.yaml", "  type: local\n", "  type: salesfroce\n")
    assert problems(cfg) == [f"{at(cfg, 'crm-crew.yaml', 'salesfroce')}: crm.type: unknown connector 'salesfroce' "
                             "(known: local, salesforce, hubspot, rest; did you mean 'salesforce'?)"]
    edit(cfg, "crm-crew.yaml", "  type: salesfroce\n", "  type: locl\n")
    assert problems(cfg) == [
        f"{at(cfg, 'crm-crew.yaml', 'locl')}: crm.type: unknown connector 'locl' "
        "(known: local, salesforce, hubspot, rest; did you mean 'local'?)"]


UNSUPPORTED = "config patterns cannot use look-around, back-references or atomic groups, and \\Z is written \\z"


def test_bad_regex(cfg: Path) -> None:
    # RE2 runs `(a+)+$` in linear time, so it is accepted; what RE2 cannot compile is refused, with its reason.
    edit(cfg, "crm-crew.yaml", "  injection_patterns:\n",
         "  injection_patterns:\n    custom: ['you are (now', '(a+)+$', '(?<=admin)mode', '(x)\\1']\n")
    unclosed, look_behind, backreference = (at(cfg, "crm-crew.yaml", text) for text in
                                            ("'you are (now'", "'(?<=admin)mode'", "'(x)"))
    assert problems(cfg) == [
        f"{unclosed}: security.injection_patterns.custom[0]: regular expression refused: invalid regular "
        "expression: missing ), unterminated subpattern at position 8",
        f"{look_behind}: security.injection_patterns.custom[2]: regular expression refused: the RE2 engine does "
        "not support this (invalid perl operator: (?<=): " + UNSUPPORTED,
        f"{backreference}: security.injection_patterns.custom[3]: regular expression refused: the RE2 engine does "
        "not support this (invalid escape sequence: \\1): " + UNSUPPORTED]


def test_settings_types_and_references(cfg: Path) -> None:
    edit(cfg, "crm-crew.yaml", "  concurrency: 1\n", "  concurrency: lots\n")
    edit(cfg, "crm-crew.yaml", "  confidence_threshold: 0.6\n", "  confidence_threshold: 1.5\n")
    edit(cfg, "crm-crew.yaml", "when: {urgency: [critical]}", "when: {urgency: [critcal], sentiment: [negativ]}")
    edit(cfg, "crm-crew.yaml", "  action: [create_contact,", "  actoin: [create_contact,")
    edit(cfg, "crm-crew.yaml", "lead_status: {sales_inquiry: Working}", "lead_status: {sales_inqury: Working}")
    edit(cfg, "crm-crew.yaml", "  other:\n    description: Anything else.\n    keywords: []\n", "")
    edit(cfg, "crm-crew.yaml", "  redact: [email,", "  redact: [emial,")
    edit(cfg, "crm-crew.yaml", "matching:\n", "matchin:\n")
    assert problems(cfg) == [
        f"{at(cfg, 'crm-crew.yaml', 'lots')}: runner.concurrency: must be an integer, got 'lots'",
        f"{at(cfg, 'crm-crew.yaml', 'matchin')}: unknown key 'matchin' (did you mean 'matching'?)",
        f"{at(cfg, 'crm-crew.yaml', 'intents:', after='non_human_senders')}: intents: missing intent 'other' (the fallback when nothing else fits)",
        f"{at(cfg, 'crm-crew.yaml', '1.5', after='confidence_threshold: 1.5')}: escalation.confidence_threshold: must be at most 1, got 1.5",
        f"{at(cfg, 'crm-crew.yaml', 'critcal')}: escalation.rules[0].when.urgency[0]: unknown urgency level "
        "'critcal' (did you mean 'critical'?)",
        f"{at(cfg, 'crm-crew.yaml', 'negativ]')}: escalation.rules[0].when.sentiment[0]: must be 'positive', "
        "'neutral' or 'negative', got 'negativ' (did you mean 'negative'?)",
        f"{at(cfg, 'crm-crew.yaml', 'actoin')}: permissions: unknown agent 'actoin' (did you mean 'action'?)",
        f"{at(cfg, 'crm-crew.yaml', 'sales_inqury')}: actions.lead_status: unknown intent 'sales_inqury' "
        "(did you mean 'sales_inquiry'?)",
        f"{at(cfg, 'crm-crew.yaml', 'emial')}: security.redact[0]: must be 'email', 'phone', 'card', 'iban' or "
        "'ssn', got 'emial' (did you mean 'email'?)",
    ]


# --- several files -----------------------------------------------------------------------


def test_problems_in_all_files_are_reported_together(older_cfg: Path) -> None:
    cfg = older_cfg
    edit(cfg, "agents.yaml", "plan_create_case,", "plan_create_cse,")
    edit(cfg, "agents.yaml", "  role: Data Steward\n", "  role: Data Steward\n  max_iters: 3\n")
    edit(cfg, "tasks.yaml", "<{sender_email}>", "<{sender_mail}>")
    edit(cfg, "crm-crew.yaml", "  type: local\n", "  type: salesfroce\n")
    assert problems(cfg) == [
        f"{at(cfg, 'agents.yaml', 'max_iters')}: agent 'data': unknown key 'max_iters' (did you mean 'max_iter'?)",
        f"{at(cfg, 'agents.yaml', 'plan_create_cse')}: agent 'action': unknown tool 'plan_create_cse'"
        " (did you mean 'plan_create_case'?)",
        # match_contact's description is folded (>-): the start of the value
        f"{at(cfg, 'tasks.yaml', '>-', after='match_contact:')}: task 'match_contact': placeholder {{sender_mail}} "
        "is not provided to interaction tasks (did you mean {sender_email}?)",
        f"{at(cfg, 'crm-crew.yaml', 'salesfroce')}: crm.type: unknown connector 'salesfroce' (known: local, salesforce, hubspot, rest; did you mean 'salesforce'?)",
    ]


def test_missing_file_and_syntax_error_do_not_hide_other_files(cfg: Path) -> None:
    (cfg / "tasks.yaml").unlink()
    edit(cfg, "crm-crew.yaml", "  concurrency: 1\n", "  concurrency: [1\n")
    edit(cfg, "agents.yaml", "  max_iter: 8\n\ncommunication:", "  max_iter: ten\n\ncommunication:")
    found = problems(cfg)
    assert found[:2] == [
        f"{at(cfg, 'agents.yaml', 'max_iter: ten', 10)}: agent 'data': 'max_iter' must be an integer, got 'ten'",
        "config/tasks.yaml:1:1: file not found",
    ]
    assert len(found) == 3 and found[2].startswith("config/crm-crew.yaml:")
    assert "invalid YAML: expected ',' or ']'" in found[2]


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope")
    assert [str(p) for p in caught.value.problems] == [f"{tmp_path / 'nope'}:1:1: config directory not found"]


# --- positions ---------------------------------------------------------------------------


def test_positions_of_keys_values_and_characters() -> None:
    text = "a:\n  - x\n  - {b: 1}\nc: |\n  one\n    {two}\nd: 'q {r}'\ne: p {s}\nc: 2\n"
    parsed = parse_yaml(text, "f.yaml")
    assert parsed.error is None
    assert parsed.data == {"a": ["x", {"b": 1}], "c": 2, "d": "q {r}", "e": "p {s}"}
    source = parsed.source
    assert source.key(("a",)) == Pos(1, 1)
    assert source.value(("a", 1, "b")) == Pos(3, 9)
    assert source.key(("a", 1, "b")) == Pos(3, 6)
    assert source.value(("a", 1, "zz")) == Pos(3, 5)  # absent: the nearest present ancestor
    assert source.char(("d",), "q {r}", 2) == Pos(7, 7)
    assert source.char(("e",), "p {s}", 2) == Pos(8, 6)
    assert [(d.key, d.first, d.again) for d in parsed.duplicates] == [("c", Pos(4, 1), Pos(9, 1))]


def test_positions_inside_a_literal_block() -> None:
    text = "c: |\n  one\n    {two}\n"
    parsed = parse_yaml(text, "f.yaml")
    value = parsed.data["c"]
    assert parsed.source.char(("c",), value, value.index("{")) == Pos(3, 5)


def test_merge_keys_may_be_overridden_but_not_repeated() -> None:
    parsed = parse_yaml("b: &b {x: 1, y: 2}\nc: {<<: *b, y: 3}\nd: {<<: *b, y: 3, y: 4}\n", "f.yaml")
    assert parsed.data["c"] == {"x": 1, "y": 3}
    assert [(d.path, d.again) for d in parsed.duplicates] == [(("d", "y"), Pos(3, 19))]


def test_escalation_flags_must_be_known(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    shutil.copytree(Path("config"), conf)
    settings = conf / "crm-crew.yaml"
    text = settings.read_text().replace("when: {flags: [legal_action]}", "when: {flags: [legal_actoin]}")
    settings.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(conf)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "legal_actoin" in t)
    col = text.splitlines()[line - 1].index("legal_actoin") + 1
    assert [str(p) for p in info.value.problems] == [
        f"{conf / 'crm-crew.yaml'}:{line}:{col}: escalation.rules[3].when.flags[0]: unknown flag 'legal_actoin' (did you mean 'legal_action'?)"
    ]


def test_a_store_url_with_a_password_is_refused_without_repeating_it(cfg: Path) -> None:
    edit(cfg, "crm-crew.yaml", "  url: null\n", "  url: postgresql://app:hunter2-secret@db:5432/crm\n")
    found = problems(cfg)
    assert found == [f"{at(cfg, 'crm-crew.yaml', 'postgresql://app')}: store.url: a URL must not carry a credential "
                     "(user:password@ or a secret query parameter; not repeated here): use PGPASSWORD or ~/.pgpass, "
                     "or put the whole URL in the DATABASE_URL environment variable"]
    assert "hunter2" not in "".join(found)


def test_replies_send_needs_a_server_and_a_from_address(cfg: Path) -> None:
    edit(cfg, "crm-crew.yaml", "  mode: draft\n", "  mode: send\n")
    assert [p.split(": ", 1)[1] for p in problems(cfg)] == [
        "replies.mode send needs replies.smtp.host and replies.from_address"]
    edit(cfg, "crm-crew.yaml", "  from_address: null ", "  from_address: help@shop.test ")
    edit(cfg, "crm-crew.yaml", "    host: null\n", "    host: smtp.shop.test\n    password: hunter22\n")
    found = problems(cfg)
    assert len(found) == 1 and "password" in found[0] and "hunter22" not in found[0]   # secrets: variables only
