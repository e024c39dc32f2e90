"""Deterministic sample workbooks ("Biểu mẫu 1–7") for tests and demos."""

from .bieumau import (
    BIEU_MAU,
    RATE_PARTS,
    Form,
    TemplateRow,
    demo_values,
    generate_demo_inbox,
    key,
    seed000_values,
    write_bieu_mau,
)

__all__ = [
    "BIEU_MAU",
    "RATE_PARTS",
    "Form",
    "TemplateRow",
    "demo_values",
    "generate_demo_inbox",
    "key",
    "seed000_values",
    "write_bieu_mau",
]
