"""Draw each addon's icon, static/description/icon.png (Pillow).

Usage: python setup/tools/gen_icons.py

Flat, one colour per addon and one symbol: a document with a check (the policy), a
warning triangle (risk), rising bars (appraisal).
"""

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[2]
SIZE = 256  # drawn large, saved at 128 px for smooth edges
WHITE = (255, 255, 255, 255)


def _canvas(colour):
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, SIZE - 1, SIZE - 1), radius=48, fill=colour)
    return image, draw


def policy():
    image, draw = _canvas((1, 102, 107, 255))  # teal
    draw.rounded_rectangle((70, 44, 186, 212), radius=12, fill=WHITE)
    for y in (76, 100, 124):
        draw.rectangle((92, y, 164, y + 8), fill=(1, 102, 107, 255))
    draw.line((96, 166, 118, 188, 162, 144), fill=(0, 160, 74, 255), width=14, joint="curve")
    return image


def risk():
    image, draw = _canvas((196, 90, 17, 255))  # orange
    draw.polygon(((128, 46), (214, 200), (42, 200)), fill=WHITE)
    draw.rounded_rectangle((120, 96, 136, 158), radius=6, fill=(196, 90, 17, 255))
    draw.ellipse((118, 168, 138, 188), fill=(196, 90, 17, 255))
    return image


def kpi():
    image, draw = _canvas((113, 75, 103, 255))  # Odoo purple
    for index, height in enumerate((60, 100, 140)):
        left = 58 + index * 52
        draw.rounded_rectangle((left, 200 - height, left + 36, 200), radius=6, fill=WHITE)
    draw.line((50, 206, 206, 206), fill=WHITE, width=8)
    draw.polygon(((184, 46), (214, 46), (214, 76)), fill=(255, 214, 102, 255))
    return image


def main():
    for addon, draw in (
        ("sales_policy", policy),
        ("sales_policy_risk", risk),
        ("sales_policy_kpi", kpi),
    ):
        out = ROOT / addon / "static" / "description" / "icon.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        draw().resize((128, 128), Image.LANCZOS).save(out, optimize=True)
        print(f"Wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
