"""Form helpers: USWDS classes and accessible error wiring on every widget."""

from __future__ import annotations

from typing import Any

from django import forms

_WIDGET_CLASSES: tuple[tuple[type[forms.Widget], str], ...] = (
    (forms.CheckboxSelectMultiple, ""),
    (forms.RadioSelect, ""),
    (forms.CheckboxInput, "usa-checkbox__input"),
    (forms.Select, "usa-select"),
    (forms.Textarea, "usa-textarea"),
    (forms.widgets.Input, "usa-input"),
)


class UswdsFormMixin:
    """Give widgets USWDS classes; mark invalid fields and link their error messages."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for widget_type, css in _WIDGET_CLASSES:
                if isinstance(field.widget, widget_type):
                    if css:
                        field.widget.attrs["class"] = css
                    break

    def full_clean(self) -> None:
        """Validate, then flag each invalid widget for assistive technology."""
        super().full_clean()  # type: ignore[misc]  # provided by forms.Form
        errors: dict[str, Any] = getattr(self, "_errors", None) or {}
        for name in errors:
            field = self.fields.get(name)
            if field is None:
                continue
            auto_id = f"id_{name}"
            field.widget.attrs["aria-invalid"] = "true"
            field.widget.attrs["aria-describedby"] = f"{auto_id}-error"
            css = field.widget.attrs.get("class", "")
            if css in {"usa-input", "usa-select", "usa-textarea"}:
                field.widget.attrs["class"] = f"{css} {css}--error"
