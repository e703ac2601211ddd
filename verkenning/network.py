"""The network picture of a snowball: who led to whom, laid out in layers by depth.

Plain data in (one ``NetworkContact`` per person, with who referred them), plain data out
(nodes in reading order with their position and colour, the edges between them, a legend
and the counts per depth). No Django here: the selector reads the contacts, this module
draws them, the template writes the SVG.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

# Distinguishable on white and with white text (contrast ≥ 4.5:1); repeated beyond ten.
PALETTE = [
    "#1f5f99",
    "#a3480f",
    "#2f6b2f",
    "#8a2d6b",
    "#5b4a9e",
    "#7a5a00",
    "#0f6e6e",
    "#a11d33",
    "#4d5b2a",
    "#495057",
]
NO_DEPARTMENT_COLOUR = "#6c757d"

NODE_WIDTH = 150
NODE_HEIGHT = 40
GAP_X = 20
LAYER_HEIGHT = 100
MARGIN = 20
LABEL_LENGTH = 20


@dataclass(frozen=True)
class NetworkContact:
    """One person in the snowball; ``referred_by_id`` is the pk of who named them."""

    pk: int
    name: str
    department: str
    role: str
    status: str
    status_label: str
    referred_by_id: int | None


@dataclass
class SnowballNode:
    pk: int
    name: str
    department: str
    role: str
    status: str
    status_label: str
    referred_by_id: int | None
    depth: int = 0
    referrer_name: str = ""
    colour: str = NO_DEPARTMENT_COLOUR
    x: int = 0
    y: int = 0
    width: int = NODE_WIDTH
    height: int = NODE_HEIGHT

    @property
    def label(self) -> str:
        """The name, shortened with an ellipsis to fit the box."""
        if len(self.name) <= LABEL_LENGTH:
            return self.name
        return self.name[: LABEL_LENGTH - 1] + "…"

    @property
    def cx(self) -> int:
        return self.x + self.width // 2

    @property
    def text_y(self) -> int:
        return self.y + self.height // 2 + 5


@dataclass(frozen=True)
class SnowballEdge:
    """A line from the bottom middle of the referrer to the top middle of whom they named."""

    x1: int
    y1: int
    x2: int
    y2: int


@dataclass
class Snowball:
    """The contacts in reading order (depth first), their layout and the counts per depth."""

    nodes: list[SnowballNode] = field(default_factory=list)
    edges: list[SnowballEdge] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    depth_counts: list[tuple[int, int]] = field(default_factory=list)
    width: int = 0
    height: int = 0

    @property
    def max_depth(self) -> int:
        return max((depth for depth, _ in self.depth_counts), default=0)


def _reading_order(nodes: dict[int, SnowballNode]) -> list[SnowballNode]:
    """Depth first from the people nobody referred, so each referral sits under its referrer.

    A referrer outside the given contacts counts as nobody; siblings keep the given order.
    Sets each node's depth and referrer name on the way.
    """
    children: dict[int | None, list[SnowballNode]] = defaultdict(list)
    for node in nodes.values():
        parent = node.referred_by_id if node.referred_by_id in nodes else None
        children[parent].append(node)
    ordered: list[SnowballNode] = []
    stack = [(node, 0) for node in reversed(children[None])]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if node.pk in seen:
            continue
        seen.add(node.pk)
        node.depth = depth
        if node.referred_by_id in nodes:
            node.referrer_name = nodes[node.referred_by_id].name
        ordered.append(node)
        stack.extend((child, depth + 1) for child in reversed(children[node.pk]))
    return ordered


def _colour(ordered: list[SnowballNode]) -> list[tuple[str, str]]:
    """Give each department its colour (alphabetically, ignoring case); returns the legend."""
    departments = sorted({n.department for n in ordered if n.department}, key=str.casefold)
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(departments)}
    for node in ordered:
        node.colour = colours.get(node.department, NO_DEPARTMENT_COLOUR)
    legend = [(name, colours[name]) for name in departments]
    if any(not n.department for n in ordered):
        legend.append(("", NO_DEPARTMENT_COLOUR))
    return legend


def _place(ordered: list[SnowballNode]) -> tuple[int, int]:
    """One row per depth, each row centred; returns the picture's width and height."""
    # Within a layer the depth-first order keeps siblings together under their referrer.
    per_layer: dict[int, list[SnowballNode]] = defaultdict(list)
    for node in ordered:
        per_layer[node.depth].append(node)
    widest = max((len(layer) for layer in per_layer.values()), default=0)
    width = MARGIN * 2 + widest * (NODE_WIDTH + GAP_X) - (GAP_X if widest else 0)
    for depth, layer in per_layer.items():
        layer_width = len(layer) * (NODE_WIDTH + GAP_X) - GAP_X
        offset = (width - layer_width) // 2
        for index, node in enumerate(layer):
            node.x = offset + index * (NODE_WIDTH + GAP_X)
            node.y = MARGIN + depth * LAYER_HEIGHT
    height = MARGIN * 2 + (len(per_layer) - 1) * LAYER_HEIGHT + NODE_HEIGHT if per_layer else 0
    return width, height


def layout(contacts: Iterable[NetworkContact]) -> Snowball:
    """Lay out the snowball; siblings appear in the order the contacts are given."""
    nodes = {
        c.pk: SnowballNode(
            c.pk, c.name, c.department, c.role, c.status, c.status_label, c.referred_by_id
        )
        for c in contacts
    }
    ordered = _reading_order(nodes)
    legend = _colour(ordered)
    width, height = _place(ordered)
    edges = [
        SnowballEdge(referrer.cx, referrer.y + referrer.height, n.cx, n.y)
        for n in ordered
        if (referrer := nodes.get(n.referred_by_id)) is not None
    ]
    depth_counts = sorted(Counter(n.depth for n in ordered).items())
    return Snowball(ordered, edges, legend, depth_counts, width, height)
