"""Template filters of the consent pages and the printed consent."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Characters that could end a CSS string or the <style> element, as CSS escapes.
_CSS_ESCAPES = {
    ord("\\"): "\\5c ",
    ord('"'): "\\22 ",
    ord("'"): "\\27 ",
    ord("<"): "\\3c ",
    ord(">"): "\\3e ",
    ord("&"): "\\26 ",
    ord("\n"): "\\a ",
    ord("\r"): "",
}


@register.filter
def css_string(value: object) -> SafeString:
    """Escape text for a double-quoted CSS string inside <style>.

    Quotes, backslashes, angle brackets, ampersands and line ends become CSS
    escapes (``"`` -> ``\\22 ``); other control characters are dropped.
    """
    text = "".join(ch for ch in str(value) if ch in "\n" or ch.isprintable())
    # Every character that could close the string or the element is escaped above.
    return mark_safe(text.translate(_CSS_ESCAPES))  # noqa: S308


@register.filter
def tel_href(value: object) -> str:
    """A ``tel:`` link target: the digits of a phone number, with a leading + kept.

    >>> tel_href("+1 555 0100 999")
    'tel:+15550100999'
    """
    text = str(value).strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    return f"tel:{'+' if text.startswith('+') else ''}{digits}"
