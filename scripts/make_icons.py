#!/usr/bin/env python3
"""Draw the site's home-screen icons (book/_static/kb-icon-192.png and -512.png): the
character 禾 in white on the site's green, with a margin that survives a maskable crop.
Run once after changing the design; the PNGs are committed."""
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
from matplotlib import font_manager, pyplot  # noqa: E402

STATIC = Path(__file__).resolve().parents[1] / "book" / "_static"
GREEN = "#2e7d4f"


def cjk_font() -> font_manager.FontProperties:
    for path in font_manager.findSystemFonts():
        if "NotoSansCJK" in path or "NotoSerifCJK" in path:
            return font_manager.FontProperties(fname=path, weight="bold")
    raise SystemExit("no Noto CJK font found: run bash .ci/setup --browser")


def draw(size: int, font: font_manager.FontProperties) -> None:
    figure = pyplot.figure(figsize=(1, 1), dpi=size)
    figure.patch.set_facecolor(GREEN)
    figure.text(0.5, 0.47, "禾", color="white", fontproperties=font, fontsize=size * 0.36 * 72 / size,
                ha="center", va="center")
    figure.savefig(STATIC / f"kb-icon-{size}.png", dpi=size, facecolor=GREEN)
    pyplot.close(figure)


if __name__ == "__main__":
    font = cjk_font()
    for size in (192, 512):
        draw(size, font)
