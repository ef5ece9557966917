"""The template schema check: every wrong or missing key is refused with its name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desk_app.errors import DeskError, OperationalError
from desk_app.forms.template import (
    FormSchema,
    FormTemplateError,
    choice,
    merge_keys,
    number,
    text,
    text_list,
)
from tests.unit.forms.pdf_tools import dump_toml

SCHEMA = FormSchema(
    name="tiny",
    file_name="tiny.toml",
    keys=merge_keys(
        {
            "page.size": choice("A4", "A5"),
            "page.margin_mm": number(3, 40),
            "text.greeting": text("name"),
            "text.lines": text_list("code", minimum=1),
        }
    ),
)

GOOD: dict[str, dict[str, Any]] = {
    "page": {"size": "A4", "margin_mm": 10},
    "text": {"greeting": "Xin chào {name}", "lines": ["Mã {code}"]},
}


def load(tmp_path: Path, raw: dict[str, dict[str, Any]]) -> Any:
    path = tmp_path / "tiny.toml"
    path.write_text(dump_toml(raw), encoding="utf-8")
    return SCHEMA.load(path)


def changed(section: str, key: str, value: Any) -> dict[str, dict[str, Any]]:
    raw = {name: dict(table) for name, table in GOOD.items()}
    raw[section][key] = value
    return raw


def test_a_good_template_loads_with_typed_values(tmp_path: Path) -> None:
    template = load(tmp_path, GOOD)
    assert template.choices["page.size"] == "A4"
    assert template.number("page.margin_mm") == 10.0
    assert template.text("text.greeting") == "Xin chào {name}"
    assert template.lists["text.lines"] == ("Mã {code}",)
    # plain() fills only the placeholders the key may use, ignoring the rest.
    assert template.plain("text.greeting", {"name": "Ánh", "code": "X"}) == "Xin chào Ánh"


def test_text_is_stored_nfc(tmp_path: Path) -> None:
    decomposed = "Xin chào {name}".replace("à", "a\u0300")
    template = load(tmp_path, changed("text", "greeting", decomposed))
    assert template.text("text.greeting") == "Xin chào {name}"


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("page", "size", "Letter", r"'page\.size' phải là một trong: A4, A5"),
        ("page", "margin_mm", 2, r"'page\.margin_mm' = 2 nằm ngoài khoảng 3\.\.40"),
        ("page", "margin_mm", True, r"'page\.margin_mm' phải là một số"),
        ("page", "margin_mm", "10", r"'page\.margin_mm' phải là một số"),
        ("text", "greeting", ["a"], r"'text\.greeting' phải là chữ"),
        ("text", "greeting", "Chào {ten}", r"'text\.greeting': không có chỗ điền \{ten\}"),
        ("text", "greeting", "Chào {name!r}", r"'text\.greeting': không có chỗ điền \{name\}"),
        ("text", "greeting", "Chào {name", r"'text\.greeting': dấu ngoặc nhọn không khớp"),
        ("text", "lines", "Mã {code}", r"'text\.lines' phải là danh sách chữ"),
        ("text", "lines", [1], r"'text\.lines' phải là danh sách chữ"),
        ("text", "lines", [], r"'text\.lines' cần ít nhất 1 dòng"),
        ("text", "lines", ["{pin}"], r"'text\.lines'\[0\]: không có chỗ điền \{pin\}"),
        ("text", "greting", "typo", r"khóa lạ 'text\.greting'"),
    ],
)
def test_a_wrong_key_is_refused_by_name(
    tmp_path: Path, section: str, key: str, value: Any, message: str
) -> None:
    with pytest.raises(FormTemplateError, match=message) as raised:
        load(tmp_path, changed(section, key, value))
    error = raised.value
    assert isinstance(error, OperationalError)
    assert isinstance(error, DeskError)
    assert error.code == "form.template_invalid"
    assert error.exit_status == 1
    assert str(tmp_path / "tiny.toml") in error.source
    assert str(error).startswith("Tệp mẫu in ")


def test_a_missing_key_or_section_is_named(tmp_path: Path) -> None:
    raw = changed("text", "greeting", "x")
    del raw["text"]["greeting"]
    with pytest.raises(FormTemplateError, match=r"thiếu khóa 'text\.greeting'"):
        load(tmp_path, raw)
    with pytest.raises(FormTemplateError, match=r"thiếu mục \[page\]"):
        load(tmp_path, {"text": GOOD["text"]})


def test_a_value_where_a_section_belongs_is_named(tmp_path: Path) -> None:
    path = tmp_path / "flat.toml"
    path.write_text('page = "A4"\n', encoding="utf-8")
    with pytest.raises(FormTemplateError, match=r"'page' phải là một mục \[page\]"):
        SCHEMA.load(path)


def test_a_missing_file_is_a_template_error(tmp_path: Path) -> None:
    with pytest.raises(FormTemplateError, match="không đọc được") as raised:
        SCHEMA.load(tmp_path / "absent.toml")
    assert raised.value.code == "form.template_invalid"


def test_a_key_declared_twice_differently_is_a_programming_error() -> None:
    merge_keys({"text.title": text()}, {"text.title": text()})
    with pytest.raises(ValueError, match=r"'text\.title' declared twice"):
        merge_keys({"text.title": text()}, {"text.title": text("code")})
    with pytest.raises(ValueError, match=r"must be 'section\.key'"):
        merge_keys({"title": text()})
