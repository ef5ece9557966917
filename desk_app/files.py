"""Writing a file a person named on the command line (a receipt, a backup).

The file appears whole or not at all: the bytes go to a temporary file in the same
folder, are flushed to disk, and the temporary file is renamed over the target. Only a
regular file (or nothing) is ever replaced: a device node, a folder or a pipe under the
asked name is refused, so ``--out /dev/null`` run as root cannot swap the device node for
a PDF.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from desk_app.errors import InvalidInputError, StorageError, StorageFullError


class OutputPathError(InvalidInputError):
    """The output path cannot receive a file (a device, a folder, a missing folder)."""

    default_code = "output.path"


def check_output_path(path: Path) -> None:
    """Refuse a target that is not a regular file or absent, and a missing folder."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputPathError(f"không dùng được đường dẫn {path}: {exc.strerror}") from exc
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = "thư mục" if stat.S_ISDIR(st.st_mode) else "tệp đặc biệt (thiết bị, ống dẫn)"
        raise OutputPathError(f"{path} là {kind}, không phải tệp thường; hãy chọn tên tệp khác")
    if not path.parent.is_dir():
        raise OutputPathError(f"thư mục {path.parent} không tồn tại")


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write; on success it replaces ``path`` in one rename.

    On any error the temporary file is removed and ``path`` is left as it was.
    """
    check_output_path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        # Checked again: the target could have become a device since the first check.
        check_output_path(path)
        os.replace(tmp, path)
        fsync_folder(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise storage_error(path, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_output(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see the module's rules)."""
    with atomic_output(path) as out:
        out.write(data)


def storage_error(path: Path, exc: OSError) -> StorageError:
    """The storage error (full disk or other) for a failed write or read of ``path``."""
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageFullError(f"đĩa đầy, không ghi được {path}")
    return StorageError(f"không ghi được {path}: {exc.strerror or exc}")


def fsync_folder(folder: Path) -> None:
    """Flush ``folder`` itself, so that a rename in it survives a power cut."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
