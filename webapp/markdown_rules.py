"""markdown-it rules Cadence adds: HTML comments dropped, task lists in linear time.

Raw HTML is escaped (``html: False``), so markdown-it never sees a comment and nh3's comment
stripper never gets one: ``<!-- ... -->`` would show on the page as typed. The two rules here
recognise comments the way CommonMark does (a block that starts with ``<!--`` and ends on the line
holding ``-->``; inline, from ``<!--`` to the next ``-->``) and render them as nothing. The stored
text keeps them. Inside code they stay text (the code rules run first).

``mdit-py-plugins``' task-list rule finds each item's list by walking back through every token
before it: 8,000 items took 8 s, 4x the items 14x the time. ``linear_tasklists`` runs the
plugin's own rule on each item with its list (found with a stack in one pass), so the markup is
the plugin's and the time is linear.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.tasklists import tasklists_plugin

COMMENT = "cadence_comment"
_OPEN, _CLOSE = "<!--", "-->"


def comment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A block from ``<!--`` to the line holding ``-->`` (or the end of its container)."""
    pos = state.bMarks[start_line] + state.tShift[start_line]
    if state.sCount[start_line] - state.blkIndent >= 4 or not state.src.startswith(_OPEN, pos):
        return False
    if silent:
        return True
    line = start_line
    while line < end_line:
        if line > start_line and state.sCount[line] < state.blkIndent:
            break
        first = state.bMarks[line] + state.tShift[line]
        if (
            state.src.find(_CLOSE, first + (2 if line == start_line else 0), state.eMarks[line])
            >= 0
        ):
            line += 1
            break
        line += 1
    state.line = line
    token = state.push(COMMENT, "", 0)
    token.map = [start_line, line]
    return True


def comment_inline(state: StateInline, silent: bool) -> bool:
    """``<!-- ... -->`` inside a paragraph. The position of the next ``-->`` is remembered, so a
    text of many ``<!--`` and no ``-->`` is searched once, not once per opening."""
    pos = state.pos
    if not state.src.startswith(_OPEN, pos):
        return False
    cache: dict[int, tuple[int, int]] = state.env.setdefault("cadence_comment_ends", {})
    key = id(state.src)
    searched = cache.get(key)
    if searched is None or searched[0] > pos + 2 or 0 <= searched[1] < pos + 2:
        searched = (pos + 2, state.src.find(_CLOSE, pos + 2))
        cache[key] = searched
    end = searched[1]
    if end < 0 or end + len(_CLOSE) > state.posMax:
        return False
    if not silent:
        state.push(COMMENT, "", 0)
    state.pos = end + len(_CLOSE)
    return True


def _render_nothing(*_args: Any, **_kwargs: Any) -> str:
    return ""


def use_comments(md: MarkdownIt) -> None:
    md.block.ruler.before(
        "table", "cadence_comment", comment_block, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    md.inline.ruler.before("html_inline", "cadence_comment", comment_inline)
    md.add_render_rule(COMMENT, _render_nothing)


def _lists_of_items(tokens: list[Token]) -> list[tuple[Token, int]]:
    """``(the list, index of its item's inline token)`` for each item's first paragraph."""
    found: list[tuple[Token, int]] = []
    lists: list[Token] = []
    for i, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(token)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif (
            token.type == "inline"
            and lists
            and i >= 2
            and tokens[i - 1].type == "paragraph_open"
            and tokens[i - 2].type == "list_item_open"
            and i + 1 < len(tokens)
        ):
            found.append((lists[-1], i))
    return found


def use_linear_tasklists(md: MarkdownIt) -> None:
    """The plugin's task lists (checkboxes disabled), its rule run on one item at a time."""
    md.use(tasklists_plugin, enabled=False)
    rules = md.core.ruler.__rules__
    plugin_rule: Callable[[StateCore], None] = next(
        r.fn for r in rules if r.name == "github-tasklists"
    )

    def rule(state: StateCore) -> None:
        tokens = state.tokens
        for parent, i in _lists_of_items(tokens):
            if not tokens[i].content.startswith(("[ ]", "[x]", "[X]")):
                continue
            window = [parent, tokens[i - 2], tokens[i - 1], tokens[i], tokens[i + 1]]
            plugin_rule(StateCore("", state.md, state.env, window))

    md.core.ruler.at("github-tasklists", rule)
