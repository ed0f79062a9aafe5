"""Checks beyond shapes and types: names that must exist, placeholders, roles, credentials.

These work on the raw YAML data, defensively, so that one wrong field does not hide the
problems of its neighbours.
"""

from __future__ import annotations

import re
from typing import Any

from crm_crew.config.models import MANAGER_ROLE, ROLES, Settings
from crm_crew.config.positions import START, YamlPath
from crm_crew.config.report import Reporter, hint
from crm_crew.connectors.registry import CONNECTORS
from crm_crew.llm.registry import model_string_problem
from crm_crew.security.regex import config_regex_problem
from crm_crew.security.screen import INJECTION_FLAG

# The pattern CrewAI interpolates: `{name}`, leaving JSON-like braces alone.
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_\-]*)\}")

_INTERACTION_ORDER: tuple[str, ...] = (
    "interaction_id", "channel", "sender_email", "sender_name", "subject", "body",
    "received_at", "intents", "urgency_levels",
)
_RUN_ORDER: tuple[str, ...] = ("run_id", "interaction_count")
INTERACTION_PLACEHOLDERS: frozenset[str] = frozenset(_INTERACTION_ORDER)
RUN_PLACEHOLDERS: frozenset[str] = frozenset(_RUN_ORDER)
# An agent serves both kinds of task, so it only gets what both provide.
AGENT_PLACEHOLDERS: frozenset[str] = INTERACTION_PLACEHOLDERS & RUN_PLACEHOLDERS

AGENT_TEXT_FIELDS: tuple[str, ...] = ("role", "goal", "backstory")
TASK_TEXT_FIELDS: tuple[str, ...] = ("description", "expected_output")


def check_placeholders(rep: Reporter, path: YamlPath, text: Any, available: tuple[str, ...],
                       audience: str) -> None:
    """Every `{name}` in `text` must be one of `available`; report each unknown name once."""
    if not isinstance(text, str):
        return
    seen: set[str] = set()
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1)
        if name in available or name in seen:
            continue
        seen.add(name)
        if available:
            why = hint(name, available, label="available", show=lambda n: "{" + n + "}")
        else:
            why = " (an agent serves both interaction and run tasks: use placeholders in task descriptions)"
        rep.add(rep.source.char(path, text, match.start()),
                f"{rep.prefix(path)}placeholder {{{name}}} is not provided to {audience}{why}")


def check_agents(raw: dict[Any, Any], rep: Reporter) -> None:
    from crm_crew.tools.registry import tool_names   # the tools import the pipeline, which imports config

    tools = tool_names()
    agent_available = tuple(n for n in _INTERACTION_ORDER if n in AGENT_PLACEHOLDERS)
    for agent_id, agent in raw.items():
        if not isinstance(agent, dict):
            continue
        base = (agent_id,)
        llm = agent.get("llm")
        if isinstance(llm, str):
            problem = model_string_problem(llm)
            if problem:
                rep.at_value((*base, "llm"), problem)
        agent_tools = agent.get("tools")
        if isinstance(agent_tools, list):
            seen: set[str] = set()
            for index, tool in enumerate(agent_tools):
                if not isinstance(tool, str):
                    continue
                if tool not in tools:
                    rep.at_value((*base, "tools", index), f"unknown tool '{tool}'{hint(tool, tools)}")
                elif tool in seen:
                    rep.at_value((*base, "tools", index), f"tool '{tool}' is listed twice")
                seen.add(tool)
        for name in AGENT_TEXT_FIELDS:
            check_placeholders(rep, (*base, name), agent.get(name), agent_available, "agents")
        _check_mcps(rep, base, agent.get("mcps"), tools)
    for role in ROLES:
        if role not in raw:
            rep.add(START, f"missing agent '{role}' (the crew needs: {', '.join(ROLES)})")
    _check_manager(raw.get(MANAGER_ROLE), rep)


def _check_mcps(rep: Reporter, base: YamlPath, servers: Any, registry: Any) -> None:
    """MCP servers: unique names; allow-listed tools named once, and never a built-in tool's name."""
    if not isinstance(servers, list):
        return
    if base[0] == MANAGER_ROLE and servers:
        rep.at_value((*base, "mcps"), "the coordinator only delegates: give MCP tools to a coworker")
    names: set[str] = set()
    for index, server in enumerate(servers):
        if not isinstance(server, dict):
            continue
        name = server.get("name")
        if isinstance(name, str):
            if name in names:
                rep.at_value((*base, "mcps", index, "name"), f"MCP server '{name}' is listed twice")
            names.add(name)
        allowed = server.get("tools")
        seen: set[str] = set()
        for position, tool in enumerate(allowed if isinstance(allowed, list) else []):
            if not isinstance(tool, str):
                continue
            if tool in registry:
                rep.at_value((*base, "mcps", index, "tools", position),
                             f"'{tool}' is a built-in tool's name: an MCP tool may not shadow it")
            elif tool in seen:
                rep.at_value((*base, "mcps", index, "tools", position), f"tool '{tool}' is listed twice")
            seen.add(tool)


def _check_manager(manager: Any, rep: Reporter) -> None:
    if not isinstance(manager, dict):
        return
    base: YamlPath = (MANAGER_ROLE,)
    why = "the coordinator is the crew's hierarchical manager"
    delegation = manager.get("allow_delegation")
    if delegation is False:
        rep.at_value((*base, "allow_delegation"), f"'allow_delegation' must be true ({why})")
    elif delegation is None and "allow_delegation" not in manager:
        rep.add(rep.source.key(base), f"{rep.prefix(base)}'allow_delegation' must be true ({why})")
    tools = manager.get("tools")
    if isinstance(tools, list) and tools:
        rep.at_value((*base, "tools"), f"must have no tools ({why}: it only delegates)")


def check_tasks(raw: dict[Any, Any], agent_ids: list[str] | None, rep: Reporter,
                coworkers: list[str] | None = None) -> None:
    """`coworkers`: the agents the coordinator may choose for an interaction task without `agent`
    (None when agents.yaml did not load)."""
    names = list(raw)
    scopes = {name: _scope(task) for name, task in raw.items()}
    for position, (name, task) in enumerate(raw.items()):
        if not isinstance(task, dict):
            continue
        base = (name,)
        agent = task.get("agent")
        if agent is None:
            _check_unassigned(rep, base, scopes[name], coworkers)
        if isinstance(agent, str) and agent_ids is not None:
            if agent not in agent_ids:
                rep.at_value((*base, "agent"), f"unknown agent '{agent}'{hint(agent, agent_ids)}")
            elif agent == MANAGER_ROLE:
                rep.at_value((*base, "agent"), f"agent '{agent}' is the crew's manager and cannot be given a task")
        scope = scopes[name]
        if scope is None:
            continue
        context = task.get("context")
        if isinstance(context, list):
            for index, other in enumerate(context):
                if isinstance(other, str):
                    _check_context(rep, (*base, "context", index), name, other, names[:position], names, scopes)
        available, audience = (_INTERACTION_ORDER, "interaction tasks") if scope == "interaction" else (
            _RUN_ORDER, "run tasks")
        for field in TASK_TEXT_FIELDS:
            check_placeholders(rep, (*base, field), task.get(field), available, audience)
    if not any(scope == "interaction" for scope in scopes.values()):
        rep.add(START, "no interaction tasks defined (at least one task needs scope 'interaction')")


def _check_unassigned(rep: Reporter, base: YamlPath, scope: str | None, coworkers: list[str] | None) -> None:
    """A task without `agent` is the coordinator's to delegate: it needs coworkers to choose from."""
    where = rep.source.key(base)
    if scope == "run":
        rep.add(where, f"{rep.prefix(base)}a run task needs an 'agent' (the coordinator chooses coworkers "
                       "only for interaction tasks)")
    elif scope == "interaction" and coworkers == []:
        rep.add(where, f"{rep.prefix(base)}no 'agent', so the coordinator chooses its "
                       "coworkers, but no agent in "
                       "agents.yaml has a judgement tool (such as record_assessment or plan_changes): add the "
                       "tools or give the task an 'agent'")


def _scope(task: Any) -> str | None:
    if not isinstance(task, dict):
        return None
    scope = task.get("scope", "interaction")
    return scope if scope in ("interaction", "run") else None


def _check_context(rep: Reporter, path: YamlPath, name: str, other: str, earlier: list[Any],
                   names: list[Any], scopes: dict[Any, str | None]) -> None:
    if other == name:
        rep.at_value(path, "context cannot name the task itself")
    elif other not in names:
        rep.at_value(path, f"context names unknown task '{other}'{hint(other, [str(n) for n in earlier])}")
    elif other not in earlier:
        rep.at_value(path, f"context task '{other}' is defined later in tasks.yaml (context may only name earlier tasks)")
    elif scopes[other] is not None and scopes[other] != scopes[name]:
        rep.at_value(path, f"context task '{other}' has scope '{scopes[other]}', not '{scopes[name]}'")


def check_settings(raw: dict[Any, Any], agent_ids: list[str] | None, rep: Reporter) -> None:
    """Cross-references in crm-crew.yaml, read from the raw data (absent sections: defaults)."""
    defaults = Settings()
    crm_type = _at(raw, "crm", "type")
    if isinstance(crm_type, str) and crm_type not in CONNECTORS:
        rep.at_value(("crm", "type"), f"unknown connector '{crm_type}'{hint(crm_type, CONNECTORS, always_list=True)}")

    intents = _at(raw, "intents")
    intent_names = _names(intents, list(defaults.intents))
    if isinstance(intents, dict) and "other" not in intents:
        rep.add(rep.source.key(("intents",)), "intents: missing intent 'other' (the fallback when nothing else fits)")

    levels_raw = _at(raw, "urgency", "levels")
    levels = _names(levels_raw, defaults.urgency.levels)
    if isinstance(levels_raw, list):
        _check_unique(rep, ("urgency", "levels"), levels_raw, "urgency level")
    _check_keys(rep, raw, ("urgency", "keywords"), levels, "urgency level")

    flag_patterns = _at(raw, "security", "flag_patterns")
    declared_flags = _names(flag_patterns, list(defaults.security.flag_patterns))
    flag_names = None if declared_flags is None else [INJECTION_FLAG, *declared_flags]
    rules = _at(raw, "escalation", "rules")
    rule_names: set[str] = set()
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        path = ("escalation", "rules", index)
        name = rule.get("name")
        if isinstance(name, str) and name in rule_names:
            rep.at_value((*path, "name"), f"duplicate rule name '{name}'")
        rule_names.add(str(name))
        when = rule.get("when")
        if isinstance(when, dict) and all(value is None for value in when.values()):
            rep.at_value((*path, "when"), "needs at least one condition")
        _check_items(rep, raw, (*path, "when", "urgency"), levels, "urgency level")
        _check_items(rep, raw, (*path, "when", "intent"), intent_names, "intent")
        _check_items(rep, raw, (*path, "when", "flags"), flag_names, "flag")

    _check_items(rep, raw, ("routing", "full", "flags"), flag_names, "flag")
    _check_items(rep, raw, ("routing", "full", "intents"), intent_names, "intent")
    _check_items(rep, raw, ("routing", "full", "urgencies"), levels, "urgency level")
    for route in ("lean", "full"):
        model = _at(raw, "routing", route, "llm")
        if isinstance(model, str) and (problem := model_string_problem(model)):
            rep.at_value(("routing", route, "llm"), problem)

    _check_keys(rep, raw, ("permissions",), agent_ids, "agent")
    _check_keys(rep, raw, ("actions", "case_priority"), levels, "urgency level")
    _check_items(rep, raw, ("actions", "case_intents"), intent_names, "intent")
    _check_items(rep, raw, ("actions", "case_urgencies"), levels, "urgency level")
    _check_keys(rep, raw, ("actions", "lead_status"), intent_names, "intent")

    _check_notify(rep, raw, levels)

    languages = _at(raw, "security", "injection_patterns")
    for language, patterns in (languages.items() if isinstance(languages, dict) else ()):
        for index, pattern in enumerate(patterns if isinstance(patterns, list) else []):
            if isinstance(pattern, str) and (problem := config_regex_problem(pattern)) is not None:
                rep.at_value(("security", "injection_patterns", language, index), f"regular expression refused: {problem}")


_ABSENT = object()
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check_notify(rep: Reporter, raw: Any, levels: list[str] | None) -> None:
    env = _at(raw, "notify", "webhook_url_env")
    if isinstance(env, str) and not _ENV_NAME.fullmatch(env):
        # The value is never repeated: it may be the webhook URL itself, a secret.
        rep.at_value(("notify", "webhook_url_env"),
                     "must be the NAME of an environment variable that holds the webhook URL (for example "
                     "CRM_CREW_WEBHOOK_URL), not the URL: webhook URLs are secrets, so export the URL in that "
                     "variable and put only its name here")
    urgency = _at(raw, "notify", "min_urgency")
    if isinstance(urgency, str):
        _check_name(rep, ("notify", "min_urgency"), urgency, levels, "urgency level")



def _at(data: Any, *path: Any) -> Any:
    """The raw value at `path`; _ABSENT if a mapping lacks a key, None if the path is broken."""
    for part in path:
        if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        elif not isinstance(data, dict):
            return None
        elif part not in data:
            return _ABSENT
        else:
            data = data[part]
    return data


def _names(value: Any, default: list[str]) -> list[str] | None:
    """Names defined by a raw list or mapping; the default when absent, None when unreadable."""
    if value is _ABSENT:
        return list(default)
    if isinstance(value, (list, dict)):
        return [name for name in value if isinstance(name, str)]
    return None


def _check_keys(rep: Reporter, raw: Any, path: YamlPath, known: list[str] | None, noun: str) -> None:
    value = _at(raw, *path)
    if isinstance(value, dict):
        for key in value:
            if isinstance(key, str):
                _check_name(rep, (*path, key), key, known, noun, key=True)


def _check_items(rep: Reporter, raw: Any, path: YamlPath, known: list[str] | None, noun: str) -> None:
    value = _at(raw, *path)
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                _check_name(rep, (*path, index), item, known, noun)


def _check_name(rep: Reporter, path: YamlPath, name: str, known: list[str] | None, noun: str,
                key: bool = False) -> None:
    """`name` must be one of `known` (skipped when `known` could not be read)."""
    if known is None or name in known:
        return
    message = f"unknown {noun} '{name}'{hint(name, known)}"
    if key:
        rep.at_key(path, message)
    else:
        rep.at_value(path, message)


def _check_unique(rep: Reporter, path: YamlPath, names: list[Any], noun: str) -> None:
    seen: set[Any] = set()
    for index, name in enumerate(names):
        if isinstance(name, str) and name in seen:
            rep.at_value((*path, index), f"duplicate {noun} '{name}'")
        seen.add(name)
