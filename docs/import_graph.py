"""Draw the app graph as docs/import-graph.svg, from the code.

    .venv/bin/python docs/import_graph.py          # writes docs/import-graph.svg
    .venv/bin/python docs/import_graph.py --check  # exit 1 if the committed file is stale

grimp (import-linter's graph) reads every import under healthbank/; tests and migrations
are left out, as the layers contract leaves them out. The layers, top to bottom, and the
imports allowed between apps of one layer come from the `layers` contract in pyproject.toml,
the one `lint-imports` checks, so the picture and the check cannot disagree. One box per app
(or top-level module), one arrow per pair of apps where the first imports the second;
an arrow in the colour of its importer's layer goes down, a dashed one is an import the
contract allows inside a layer (it says why), a red one breaks the contract.

The SVG is laid out here (no graphviz on the machines we build on): rows at fixed heights,
boxes in the contract's order, and arrows that cross a row pass between its boxes.
tests/test_import_graph.py fails when the committed file differs from what this draws.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "import-graph.svg"
PACKAGE = "healthbank"
LEFT_OUT = {"tests", "migrations", "conftest"}  # module name parts the graph leaves out

BOX_W, BOX_H = 118, 34
H_GAP = 36  # between two boxes of a row
ROW_PITCH = 104  # top of one row to the top of the next
MARGIN = 40
TITLE_H = 78
LEGEND_H = 76
PORT_INSET = 12  # arrows leave and enter a box this far from its corners
PASS_PAD = 6  # an arrow crossing a row keeps this far from the boxes it passes
PASS_ROOM = 9  # and this far from the next arrow through the same gap, while there is room

# One colour per layer for the arrows its apps draw (the top row first).
PALETTE = ("#6e7781", "#8250df", "#0969da", "#1a7f37", "#bf8700", "#bc4c00", "#cf222e", "#57606a")
ALLOWED, BROKEN = "#0550ae", "#d1242f"


@dataclass
class Contract:
    layers: list[list[str]]  # top to bottom; each the apps (or modules) of one layer
    independent: list[bool]  # `|` layers: apps that may not import each other
    ignored: list[str]  # import expressions the contract allows ("a.** -> b.c")


@dataclass
class Box:
    name: str
    row: int
    x: float
    y: float

    @property
    def centre(self) -> float:
        return self.x + BOX_W / 2


@dataclass
class Arrow:
    source: str
    target: str
    kind: str  # "down", "allowed" (within a layer, named in the contract), "broken"
    points: list[tuple[float, float]] = field(default_factory=list)


def read_contract(pyproject: Path = ROOT / "pyproject.toml") -> Contract:
    config = tomllib.loads(pyproject.read_text())["tool"]["importlinter"]
    (layers,) = [c for c in config["contracts"] if c.get("type") == "layers"]
    rows, independent = [], []
    for layer in layers["layers"]:
        separator = ":" if ":" in layer else "|"
        rows.append([name.strip().strip("()") for name in layer.split(separator)])
        independent.append(separator == "|")
    return Contract(rows, independent, list(layers.get("ignore_imports", [])))


def _expression(pattern: str) -> re.Pattern[str]:
    """An import-linter module expression as a regular expression: `*` one name, `**` one
    or more names."""
    parts = []
    for part in pattern.split("."):
        parts.append({"*": r"[^.]+", "**": r"[^.]+(?:\.[^.]+)*"}.get(part, re.escape(part)))
    return re.compile(r"\.".join(parts) + r"\Z")


def _allowed(importer: str, imported: str, ignored: list[str]) -> bool:
    for expression in ignored:
        source, target = (side.strip() for side in expression.split("->"))
        if _expression(source).match(importer) and _expression(target).match(imported):
            return True
    return False


def _unit(module: str) -> str | None:
    """The app (or top-level module) a module belongs to; None for the package itself and
    for what the graph leaves out."""
    parts = module.split(".")
    if len(parts) < 2 or LEFT_OUT & set(parts):
        return None
    return parts[1]


def app_imports(ignored: list[str]) -> dict[tuple[str, str], bool]:
    """(importer app, imported app) -> whether every import behind it is one the contract
    allows by name."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # this checkout's package, not an installed one
    import grimp

    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    pairs: dict[tuple[str, str], bool] = {}
    for importer in sorted(graph.modules):
        source = _unit(importer)
        if source is None:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            target = _unit(imported)
            if target is None or target == source:
                continue
            allowed = _allowed(importer, imported, ignored)
            pairs[source, target] = pairs.get((source, target), True) and allowed
    return pairs


def _layout(contract: Contract) -> tuple[dict[str, Box], float]:
    widest = max(len(row) for row in contract.layers)
    width = 2 * MARGIN + widest * BOX_W + (widest - 1) * H_GAP
    boxes = {}
    for row, names in enumerate(contract.layers):
        used = len(names) * BOX_W + (len(names) - 1) * H_GAP
        left = (width - used) / 2
        for i, name in enumerate(names):
            y = TITLE_H + row * ROW_PITCH
            boxes[name] = Box(name, row, left + i * (BOX_W + H_GAP), y)
    return boxes, width


def _kind(source: Box, target: Box, allowed: bool, contract: Contract) -> str:
    if source.row < target.row:
        return "down"
    if allowed or (source.row == target.row and not contract.independent[source.row]):
        return "allowed"
    return "broken"


def _gaps(row_boxes: list[Box], width: float) -> list[tuple[float, float]]:
    """The free stretches of a row an arrow may pass through, left to right."""
    edges = [MARGIN / 2]
    for box in sorted(row_boxes, key=lambda b: b.x):
        edges += [box.x, box.x + BOX_W]
    edges.append(width - MARGIN / 2)
    return [(edges[i] + PASS_PAD, edges[i + 1] - PASS_PAD) for i in range(0, len(edges), 2)]


def _choose_gap(gaps: list[tuple[float, float]], used: list[int], ideal: float) -> int:
    """The gap nearest to where the arrow would cross, among those with room left."""

    def cost(g: int) -> tuple[bool, float, int]:
        low, high = gaps[g]
        full = used[g] >= max(1, (high - low) // PASS_ROOM)
        return (full, max(low - ideal, 0, ideal - high), g)

    return min(range(len(gaps)), key=cost)


def _route(arrows: list[Arrow], boxes: dict[str, Box], width: float) -> None:
    """Waypoints of each arrow: it leaves the bottom of its importer (the top, if it goes
    up), passes each row between it and its target through a gap between boxes, and enters
    the top of its target (the bottom if it goes up); within one row it loops below."""
    rows: dict[int, list[Box]] = {}
    for box in boxes.values():
        rows.setdefault(box.row, []).append(box)
    # Where each arrow crosses each row in between, before spreading arrows that share a gap.
    # The nearest gap with room (PASS_ROOM pixels an arrow), the longest arrows choosing first.
    crossings: dict[tuple[int, int], list[tuple[float, int]]] = {}
    plans: dict[int, list[tuple[int, int]]] = {}

    def span(n: int) -> tuple[int, str, str]:
        arrow = arrows[n]
        return (-abs(boxes[arrow.target].row - boxes[arrow.source].row), arrow.source, arrow.target)

    for n in sorted(range(len(arrows)), key=span):
        source, target = boxes[arrows[n].source], boxes[arrows[n].target]
        step = 1 if target.row > source.row else -1
        plan = []
        for row in range(source.row + step, target.row, step):
            share = (row - source.row) / (target.row - source.row)
            ideal = source.centre + share * (target.centre - source.centre)
            gaps = _gaps(rows[row], width)
            used = [len(crossings.get((row, g), [])) for g in range(len(gaps))]
            gap = _choose_gap(gaps, used, ideal)
            crossings.setdefault((row, gap), []).append((ideal, n))
            plan.append((row, gap))
        plans[n] = plan
    passing: dict[tuple[int, int], float] = {}  # (arrow, row) -> x
    for (row, gap), users in sorted(crossings.items()):
        low, high = _gaps(rows[row], width)[gap]
        users.sort()
        for i, (_ideal, n) in enumerate(users):
            passing[n, row] = low + (high - low) * (i + 1) / (len(users) + 1)

    # Ports: the ends on one side of one box, spread in the order of where they head.
    ends: dict[tuple[str, str], list[tuple[float, int, int]]] = {}
    for n, arrow in enumerate(arrows):
        source, target = boxes[arrow.source], boxes[arrow.target]
        if source.row == target.row:
            out_side = in_side = "bottom"
        else:
            out_side, in_side = ("bottom", "top") if target.row > source.row else ("top", "bottom")
        xs = [passing[n, row] for row, _gap in plans[n]]
        first = xs[0] if xs else target.centre
        last = xs[-1] if xs else source.centre
        ends.setdefault((source.name, out_side), []).append((first, n, 0))
        ends.setdefault((target.name, in_side), []).append((last, n, 1))
    ports: dict[tuple[int, int], float] = {}
    for (name, _side), users in ends.items():
        box = boxes[name]
        users.sort()
        span = BOX_W - 2 * PORT_INSET
        for i, (_towards, n, end) in enumerate(users):
            ports[n, end] = box.x + PORT_INSET + span * (i + 1) / (len(users) + 1)

    for n, arrow in enumerate(arrows):
        source, target = boxes[arrow.source], boxes[arrow.target]
        down = target.row >= source.row
        start_y = source.y + BOX_H if down else source.y
        end_y = target.y if target.row > source.row else target.y + BOX_H
        points = [(ports[n, 0], start_y)]
        for row, _gap in plans[n]:
            x, top = passing[n, row], rows[row][0].y
            near, far = (top - 4, top + BOX_H + 4) if down else (top + BOX_H + 4, top - 4)
            points += [(x, near), (x, far)]
        points.append((ports[n, 1], end_y))
        arrow.points = points


def _path(points: list[tuple[float, float]], same_row: bool) -> str:
    (x, y), *rest = points
    d = [f"M{x:.1f},{y:.1f}"]
    if same_row:  # a loop below the row, deeper the further it goes
        (tx, ty) = rest[-1]
        depth = 18 + abs(tx - x) / 8
        d.append(f"C{x:.1f},{y + depth:.1f} {tx:.1f},{ty + depth:.1f} {tx:.1f},{ty:.1f}")
        return " ".join(d)
    for nx, ny in rest:
        mid = (y + ny) / 2  # vertical at both ends: leaves and enters boxes straight
        d.append(f"C{x:.1f},{mid:.1f} {nx:.1f},{mid:.1f} {nx:.1f},{ny:.1f}")
        x, y = nx, ny
    return " ".join(d)


def render(contract: Contract | None = None, pairs: dict | None = None) -> str:
    contract = contract or read_contract()
    pairs = app_imports(contract.ignored) if pairs is None else pairs
    boxes, width = _layout(contract)
    unknown = sorted({name for pair in pairs for name in pair} - set(boxes))
    if unknown:
        raise SystemExit(f"Not in any layer of pyproject.toml's contract: {', '.join(unknown)}")
    arrows = [
        Arrow(source, target, _kind(boxes[source], boxes[target], allowed, contract))
        for (source, target), allowed in sorted(pairs.items())
    ]
    _route(arrows, boxes, width)
    height = TITLE_H + (len(contract.layers) - 1) * ROW_PITCH + BOX_H + 30 + LEGEND_H

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" '
        'role="img" aria-labelledby="title">',
        '<title id="title">healthbank: which app imports which</title>',
        "<defs>",
    ]
    colours = {**{f"layer{i}": c for i, c in enumerate(PALETTE)}, "allowed": ALLOWED}
    colours["broken"] = BROKEN
    for name, colour in colours.items():
        out.append(
            f'<marker id="head-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            f'fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    out.append(f'<rect width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>')
    out.append(
        f'<text x="{MARGIN}" y="30" font-size="17" font-weight="bold" fill="#1f2328">'
        "healthbank: the app graph, top layer first</text>"
    )
    out.append(
        f'<text x="{MARGIN}" y="47" font-size="11" fill="#57606a">Drawn from the code by '
        "docs/import_graph.py; layers as in pyproject.toml [tool.importlinter]</text>"
    )
    for row in range(len(contract.layers)):
        top = TITLE_H + row * ROW_PITCH - 12
        fill = "#f6f8fa" if row % 2 == 0 else "#ffffff"
        out.append(
            f'<rect x="{MARGIN / 4:.0f}" y="{top:.0f}" width="{width - MARGIN / 2:.0f}" '
            f'height="{BOX_H + 24}" rx="6" fill="{fill}"/>'
        )
    for arrow in arrows:
        source = boxes[arrow.source]
        same_row = source.row == boxes[arrow.target].row
        if arrow.kind == "down":
            colour, marker = PALETTE[source.row % len(PALETTE)], f"layer{source.row % 8}"
            style = 'stroke-width="1.2"'
        elif arrow.kind == "allowed":
            colour, marker, style = ALLOWED, "allowed", 'stroke-width="1.6" stroke-dasharray="5,3"'
        else:
            colour, marker, style = BROKEN, "broken", 'stroke-width="2.2"'
        out.append(
            f'<path d="{_path(arrow.points, same_row)}" fill="none" stroke="{colour}" {style} '
            f'marker-end="url(#head-{marker})" opacity="0.85"><title>'
            f"{escape(arrow.source)} imports {escape(arrow.target)}</title></path>"
        )
    for box in boxes.values():
        out.append(
            f'<g><title>{escape(PACKAGE)}.{escape(box.name)}</title><rect x="{box.x:.1f}" '
            f'y="{box.y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="5" fill="#ffffff" '
            f'stroke="{PALETTE[box.row % len(PALETTE)]}" stroke-width="1.6"/>'
            f'<text x="{box.centre:.1f}" y="{box.y + BOX_H / 2 + 4.5:.1f}" font-size="13" '
            f'text-anchor="middle" fill="#1f2328">{escape(box.name)}</text></g>'
        )
    top = TITLE_H + (len(contract.layers) - 1) * ROW_PITCH + BOX_H + 30
    legend = [
        ("down", "imports an app of a lower layer (in the colour of the importer's layer)"),
        ("allowed", "imports an app of its own layer; pyproject.toml names the reason"),
        ("broken", "breaks the layers contract (lint-imports fails)"),
    ]
    for i, (kind, text) in enumerate(legend):
        y = top + i * 22
        colour = {"down": PALETTE[2], "allowed": ALLOWED, "broken": BROKEN}[kind]
        dash = ' stroke-dasharray="5,3"' if kind == "allowed" else ""
        marker = {"down": "layer2", "allowed": "allowed", "broken": "broken"}[kind]
        out.append(
            f'<path d="M{MARGIN},{y:.0f} L{MARGIN + 44},{y:.0f}" stroke="{colour}" '
            f'stroke-width="1.6"{dash} marker-end="url(#head-{marker})"/>'
        )
        out.append(
            f'<text x="{MARGIN + 56}" y="{y + 4:.0f}" font-size="12" fill="#1f2328">'
            f"{escape(text)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    drawn = render()
    if "--check" in argv:
        if not OUTPUT.exists() or OUTPUT.read_text() != drawn:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run .venv/bin/python docs/import_graph.py")
            return 1
        return 0
    OUTPUT.write_text(drawn)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
