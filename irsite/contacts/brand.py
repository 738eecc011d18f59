"""The company's brand colour: one value, checked against WCAG 2.x contrast, printed safely.

The IR team types a colour in the company profile; the public pages (as the CSS custom property
``--accent`` of `/brand.css`: the pages' Content-Security-Policy allows no inline style), the
PDF rendition and the alert e-mail use it for links, rules and headings. Links are text, so the
colour must reach the contrast WCAG 2.x asks of text against the white page: 4.5:1 (success
criterion 1.4.3, level AA).
"""

import math
import re

from django.core.exceptions import ValidationError

# The accent the site's stylesheet ships with (static/css/site.css), 8.7:1 on white.
DEFAULT_COLOUR = "#0b4f8a"
MIN_CONTRAST = 4.5
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an ``#rrggbb`` colour (0 black to 1 white)."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_on_white(colour: str) -> float:
    """The WCAG 2.x contrast ratio of ``colour`` against white, from 1 to 21."""
    return 1.05 / (relative_luminance(colour) + 0.05)


def validate_brand_colour(value: str) -> None:
    """Refuse anything but ``#rrggbb`` and a colour under 4.5:1 against white, saying the ratio
    (rounded down, so a refused colour never reads as 4.50) and the limit."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ValidationError(
            "Enter the colour as # and six hexadecimal digits, e.g. %(example)s.",
            code="invalid_colour",
            params={"example": DEFAULT_COLOUR},
        )
    ratio = contrast_on_white(value)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            "%(colour)s has a contrast ratio of %(ratio)s:1 against the white page; links and "
            "text need at least %(limit)s:1 (WCAG 2.x, level AA). Choose a darker colour.",
            code="low_contrast",
            params={
                "colour": value,
                "ratio": f"{math.floor(ratio * 100) / 100:.2f}",
                "limit": MIN_CONTRAST,
            },
        )


def printable(value: str) -> str:
    """The colour to print in CSS: the stored one if it is valid, else the default (blank, or a
    value written around the form by a shell, never reaches a stylesheet)."""
    try:
        validate_brand_colour(value)
    except ValidationError:
        return DEFAULT_COLOUR
    return value.lower()
