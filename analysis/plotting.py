"""Matplotlib helpers for the analyst notebooks: a font with Vietnamese glyphs, wrapped tick labels, and a
two-column owner–organisation network drawn from ``owner_org_edges`` (no graph library needed).

Portal text drawn here is plain text in a PNG: nothing is interpreted as markup, except that matplotlib reads
``$…$`` as mathtext, so labels escape dollar signs.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pandas as pd

VIETNAMESE_SAMPLE = "Ủy ban nhân dân xã Đắk Lắk: thửa đất số, tờ bản đồ, diện tích ư ơ ă â ê ô đ Ạ Ặ Ệ Ộ Ự"
DEFAULT_FONT = "DejaVu Sans"


def use_vietnamese_font(family: str = DEFAULT_FONT) -> str:
    """Make ``family`` matplotlib's font (with readable sizes and a 100 dpi figure) after checking that it has a
    glyph for every letter of a Vietnamese sample; returns the font file. RuntimeError when it is missing or
    lacks glyphs (the plots would show boxes instead of letters)."""
    import matplotlib
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    try:
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError as exc:
        raise RuntimeError(f"font {family!r} is not installed") from exc
    font = FT2Font(path)
    missing = sorted({ch for ch in VIETNAMESE_SAMPLE if not ch.isspace() and font.get_char_index(ord(ch)) == 0})
    if missing:
        raise RuntimeError(f"font {family!r} has no glyph for {''.join(missing)}")
    matplotlib.rcParams.update({
        "font.family": "sans-serif", "font.sans-serif": [family], "figure.dpi": 100, "savefig.dpi": 100,
        "axes.titlesize": 12, "axes.labelsize": 10, "xtick.labelsize": 9, "ytick.labelsize": 9,
        "legend.fontsize": 9, "axes.unicode_minus": True,
    })
    return path


def wrap_label(text: Any, width: int = 28, max_lines: int = 3) -> str:
    """A label wrapped to ``width`` characters on at most ``max_lines`` lines (the last ends with "…" when cut),
    with ``$`` escaped so matplotlib never reads it as mathtext."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    lines = textwrap.wrap(" ".join(str(text).split()), width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(1, width - 1)].rstrip() + "…"
    return "\n".join(lines).replace("$", r"\$")


def bipartite_layout(edges: pd.DataFrame) -> pd.DataFrame:
    """Node positions for an owner–organisation graph: owners in a column at x = 0, organisations at x = 1, each
    column ordered to keep edges short (owners by total selections, organisations by the mean position of the
    owners that chose them). Columns: node, kind (owner | organisation), id, label, weight (selections), x, y
    (y from 0 at the top down to -(n-1))."""
    columns = ["node", "kind", "id", "label", "weight", "x", "y"]
    if edges.empty:
        return pd.DataFrame(columns=columns)
    owners = (edges.groupby(["owner_id", "owner"], as_index=False)["selections"].sum()
              .sort_values(["selections", "owner"], ascending=[False, True], ignore_index=True))
    owner_y = {oid: -i for i, oid in enumerate(owners["owner_id"])}
    e = edges.assign(_y=edges["owner_id"].map(owner_y) * edges["selections"])
    orgs = e.groupby(["organisation_id", "organisation"], as_index=False).agg(selections=("selections", "sum"),
                                                                          _wy=("_y", "sum"))
    orgs["_bary"] = orgs["_wy"] / orgs["selections"]
    orgs = orgs.sort_values(["_bary", "selections", "organisation"], ascending=[False, False, True],
                            ignore_index=True)
    # Spread the shorter column over the height of the longer one so edges do not bunch up.
    height = max(len(owners), len(orgs)) - 1

    def ys(n: int) -> list[float]:
        return [0.0] if n == 1 else [-height * i / (n - 1) for i in range(n)]

    rows = [{"node": f"owner:{oid}", "kind": "owner", "id": oid, "label": name, "weight": int(w), "x": 0.0, "y": y}
            for (oid, name, w), y in zip(owners[["owner_id", "owner", "selections"]].itertuples(index=False),
                                         ys(len(owners)))]
    org_rows = orgs[["organisation_id", "organisation", "selections"]].itertuples(index=False)
    rows += [{"node": f"organisation:{oid}", "kind": "organisation", "id": oid, "label": name, "weight": int(w),
              "x": 1.0, "y": y}
             for (oid, name, w), y in zip(org_rows, ys(len(orgs)))]
    return pd.DataFrame(rows, columns=columns)


def draw_network(ax, edges: pd.DataFrame, *, title: str = "", label_width: int = 34) -> pd.DataFrame:
    """Draw ``owner_org_edges`` on ``ax``: owners left, organisations right, one line per pair with its width
    and label proportional to the selections, focus edges in red. Returns the layout used."""
    nodes = bipartite_layout(edges)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    if nodes.empty:
        ax.text(0.5, 0.5, "Không có dữ liệu lựa chọn", ha="center", va="center", transform=ax.transAxes)
        return nodes
    pos = {row.node: (row.x, row.y) for row in nodes.itertuples(index=False)}
    top = max(edges["selections"].max(), 1)
    has_focus = "focus" in edges.columns
    for e in edges.itertuples(index=False):
        (x0, y0), (x1, y1) = pos[f"owner:{e.owner_id}"], pos[f"organisation:{e.organisation_id}"]
        focus = bool(getattr(e, "focus", False)) if has_focus else False
        ax.plot([x0, x1], [y0, y1], color="#c0392b" if focus else "#7f8c8d", alpha=0.8 if focus else 0.5,
                linewidth=0.8 + 5.0 * e.selections / top, solid_capstyle="round", zorder=1)
    size = 40 + 260 * nodes["weight"] / max(nodes["weight"].max(), 1)
    for kind, color, marker in (("owner", "#2c7fb8", "o"), ("organisation", "#e6a100", "s")):
        part = nodes["kind"] == kind
        ax.scatter(nodes.loc[part, "x"], nodes.loc[part, "y"], s=size[part], c=color, marker=marker, zorder=2,
                   edgecolors="white", linewidths=0.8,
                   label="người có tài sản" if kind == "owner" else "tổ chức đấu giá")
    for row in nodes.itertuples(index=False):
        left = row.kind == "owner"
        ax.annotate(wrap_label(f"{row.label} ({row.weight})", label_width, 2), (row.x, row.y),
                    xytext=(-10 if left else 10, 0), textcoords="offset points", ha="right" if left else "left",
                    va="center", fontsize=8)
    low = nodes["y"].min()
    ax.set_xlim(-1.2, 2.2)
    ax.set_ylim(low - 0.8, 0.8)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, frameon=False)
    return nodes
