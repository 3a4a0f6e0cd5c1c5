"""What a search asks of stories: whether it can collapse, and what ``story:ID`` implies."""

from __future__ import annotations

from dataclasses import replace

from ..query.tree import Group, Node, Word
from ..results import SearchParams

__all__ = ["names_story", "story_params"]


def names_story(node: Node) -> bool:
    """Whether the query has a ``story:`` clause anywhere."""
    if isinstance(node, Word):
        return node.field == "story"
    if isinstance(node, Group):
        return any(names_story(c) for c in node.optional + node.required + node.excluded)
    children = getattr(node, "children", None) or ((node.child,) if hasattr(node, "child") else ())
    return any(names_story(c) for c in children)


def story_params(params: SearchParams, tree: Group, capabilities: frozenset[str]) -> SearchParams:
    """The parameters the engine runs: no collapsing where the engine keeps no stories, and
    ``story:ID`` lists the story's copies one by one in lead order (oldest first, undated
    last: the engine sort "story"), unless newest first is asked."""
    if "stories" not in capabilities:
        return replace(params, collapse="none")
    if names_story(tree):
        sort = "newest" if params.sort == "newest" else "story"
        return replace(params, collapse="none", sort=sort)
    return params
