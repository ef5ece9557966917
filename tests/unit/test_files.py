"""Output files: whole or nothing, and never over a device node, a folder or a pipe."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from desk_app.errors import InvalidInputError
from desk_app.files import OutputPathError, atomic_output, write_output


def test_a_new_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "r.pdf"
    write_output(target, b"%PDF-1.7 new")
    assert target.read_bytes() == b"%PDF-1.7 new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]  # no temporary file left


def test_a_regular_file_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old")
    write_output(target, b"new")
    assert target.read_bytes() == b"new"


def test_a_failure_half_way_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "r.pdf"
    target.write_bytes(b"old")

    def write_half() -> None:
        with atomic_output(target) as out:
            out.write(b"half")
            raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError):
        write_half()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_a_device_node_is_refused_and_kept() -> None:
    devnull = Path(os.devnull)
    with pytest.raises(OutputPathError) as caught:
        write_output(devnull, b"%PDF")
    assert isinstance(caught.value, InvalidInputError)
    assert caught.value.exit_status == 2
    assert stat.S_ISCHR(devnull.stat().st_mode)


def test_a_fifo_is_refused_and_kept(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputPathError):
        write_output(fifo, b"%PDF")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="thư mục"):
        write_output(tmp_path, b"%PDF")


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="không tồn tại"):
        write_output(tmp_path / "nowhere" / "r.pdf", b"%PDF")
