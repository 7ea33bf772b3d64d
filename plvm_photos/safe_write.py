"""Writing files next to user files without following links someone else planted there.

Anyone who can write into a photo folder can plant a symbolic link at a name the product is
about to write (``photo.jpg.xmp``, ``.photo.jpg.xmp.tmp``) so that a plain ``write_text`` or
``Image.save`` overwrites a file of the user's elsewhere. Everything here:

- opens the target's folder once (``O_DIRECTORY``) and does every step relative to that handle,
  so the folder cannot be swapped for a link half-way;
- creates the temporary file exclusively (``O_CREAT | O_EXCL | O_NOFOLLOW``, a random name): a
  planted name makes it pick another name, never follow it;
- refuses a target that is a symbolic link (``SymlinkRefused``), a folder (``IsADirectoryError``)
  or anything but a regular file (a FIFO would hang the writer), and never creates missing
  folders (``FileNotFoundError``);
- writes, ``fsync``s, then ``os.replace``s the temporary file onto the target (readers see the
  old file or the new one; a link raced in at the target is replaced, not followed), keeps an
  existing target's permission bits, and removes the temporary file on any failure.

``open_regular`` opens a file to read the same careful way (never blocking on a FIFO, never reading
a device), and ``read_text_nofollow`` reads one without following a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from plvm_photos.fsnames import printable

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIR_FD = os.open in os.supports_dir_fd and os.replace in os.supports_dir_fd and bool(_DIRECTORY)


class SymlinkRefused(OSError):
    """The target is a symbolic link: it is left alone, not followed."""

    def __init__(self, path: str | Path):
        super().__init__(errno.ELOOP, "is a symbolic link; not followed", str(path))


class NotRegularFile(OSError):
    def __init__(self, path: str | Path):
        super().__init__(errno.EINVAL, "is not a regular file (a FIFO, socket or device)", str(path))


class CannotCreate(OSError):
    """The folder exists but refuses new files without saying why (e.g. /proc: ENOENT)."""

    def __init__(self, folder: str | Path, why: str):
        super().__init__(errno.EACCES, f"cannot write: this folder does not take new files ({why})", str(folder))


def describe(exc: OSError) -> str:
    """A one-line reason for a failed write, e.g. 'permission denied' or 'no such folder'."""
    if isinstance(exc, (SymlinkRefused, NotRegularFile, CannotCreate)):
        return exc.strerror
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, FileNotFoundError):
        return f"no such folder: {printable(exc.filename)}" if isinstance(exc.filename, str) else "no such folder"
    if isinstance(exc, PermissionError):
        return "cannot write: permission denied"
    if exc.errno == errno.EROFS:
        return "cannot write: read-only file system"
    if exc.errno == errno.ENOSPC:
        return "cannot write: no space left on device"
    return f"cannot write: {(exc.strerror or str(exc)).lower()}"


def _check_existing(dir_fd: int | None, name: str, shown: Path) -> int | None:
    """The permission bits of the existing target, None if there is none; refuses non-files."""
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False) if dir_fd is not None else os.lstat(shown)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        raise SymlinkRefused(shown)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(shown))
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(shown)
    return stat.S_IMODE(st.st_mode)


class _Target:
    """The folder handle and names of one pending write."""

    def __init__(self, target: str | Path):
        self.path = Path(target)
        self.name = self.path.name
        if not self.name or self.name in (".", ".."):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(self.path))
        self.folder = self.path.parent
        self.dir_fd: int | None = None
        if _DIR_FD:
            try:
                self.dir_fd = os.open(self.folder, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
            except NotADirectoryError:
                raise FileNotFoundError(errno.ENOENT, "no such folder", str(self.folder)) from None
            except FileNotFoundError:
                raise FileNotFoundError(errno.ENOENT, "no such folder", str(self.folder)) from None
        elif not self.folder.is_dir():
            raise FileNotFoundError(errno.ENOENT, "no such folder", str(self.folder))

    def close(self) -> None:
        if self.dir_fd is not None:
            os.close(self.dir_fd)
            self.dir_fd = None

    def _at(self, name: str) -> str:
        return name if self.dir_fd is not None else str(self.folder / name)

    def create_temp(self) -> tuple[int, str]:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        for _ in range(100):
            tmp = f".{self.name[:80]}.{secrets.token_hex(6)}.tmp"
            try:
                # 0o666: the user's umask applies, as for any file the user's programs create.
                return os.open(self._at(tmp), flags, 0o666, dir_fd=self.dir_fd), tmp
            except FileExistsError:
                continue  # a name taken (or planted): pick another
            except (FileNotFoundError, NotADirectoryError) as exc:  # the folder is there, yet no file can be made
                raise CannotCreate(self.folder, (exc.strerror or str(exc)).lower()) from None
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(self.folder))

    def unlink(self, name: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self._at(name), dir_fd=self.dir_fd)

    def replace(self, tmp: str) -> None:
        if self.dir_fd is not None:
            os.replace(tmp, self.name, src_dir_fd=self.dir_fd, dst_dir_fd=self.dir_fd)
            with contextlib.suppress(OSError):  # the rename itself durable (not on every file system)
                os.fsync(self.dir_fd)
        else:
            os.replace(self._at(tmp), self.path)


@contextlib.contextmanager
def atomic_writer(target: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write ``target``'s new content into; it replaces ``target`` on success.

    The checks and the temporary file happen on entry, so a target that cannot be written fails
    before any expensive work inside the ``with`` block. Raises ``OSError`` subclasses (see the
    module docstring); nothing is left behind when anything fails.
    """
    t = _Target(target)
    try:
        mode = _check_existing(t.dir_fd, t.name, t.path)
        fd, tmp = t.create_temp()
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
                fh.flush()
                if mode is not None:
                    os.fchmod(fh.fileno(), mode)
                os.fsync(fh.fileno())
            _check_existing(t.dir_fd, t.name, t.path)  # a link raced in: refuse rather than replace it
            t.replace(tmp)
        except BaseException:
            t.unlink(tmp)
            raise
    finally:
        t.close()


def write_bytes(target: str | Path, data: bytes) -> None:
    with atomic_writer(target) as fh:
        fh.write(data)


def write_text(target: str | Path, text: str, encoding: str = "utf-8") -> None:
    write_bytes(target, text.encode(encoding))


def open_regular(path: str | Path, follow_symlinks: bool = True) -> BinaryIO:
    """``path`` opened for reading, when it is a regular file. The open never blocks (``O_NONBLOCK``:
    a FIFO with no writer would hang ``open`` itself) and what was opened is checked, not the name:
    a FIFO, socket or device raises ``NotRegularFile``, a folder ``IsADirectoryError``; with
    ``follow_symlinks`` False a link raises ``SymlinkRefused``. Other ``OSError`` as ``os.open``."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC | (0 if follow_symlinks else _NOFOLLOW))
    except OSError as exc:
        if not follow_symlinks and (exc.errno == errno.ELOOP or (_NOFOLLOW == 0 and os.path.islink(path))):
            raise SymlinkRefused(path) from None
        raise
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_text_nofollow(path: str | Path, encoding: str = "utf-8") -> str | None:
    """The text of the regular file ``path``; None when there is none. Never follows a link
    (``SymlinkRefused``) and never blocks on a FIFO or device (``NotRegularFile``)."""
    try:
        fh = open_regular(path, follow_symlinks=False)
    except FileNotFoundError:
        return None
    with fh:
        return fh.read().decode(encoding)
