"""Name grammar and the swap/recovery steps of revert, on plain directories."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from abaca.common.errors import Invalid
from abaca.share.drivers.local.pool import exchange, recover_swap, swap_in, validate_name


@pytest.mark.parametrize("name", ["a", "0", "share-0b7ea5c2-35f1-4b5e-9f7a-1c2d3e4f5a6b",
                                  "snapshot-1", "a" * 80, "a-"])
def test_good_names(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "x\0y", "A", "-a", "a" * 81, "a\n",
                                  "a.b", " a", "a_b", "ä"])
def test_bad_names(name: str) -> None:
    with pytest.raises(Invalid):
        validate_name(name)


def _tree(path: Path, content: str) -> Path:
    path.mkdir()
    (path / "f").write_text(content)
    return path


def _remove(path: Path) -> None:
    (path / "f").unlink()
    path.rmdir()


def test_exchange_swaps_two_directories(tmp_path: Path) -> None:
    a, b = _tree(tmp_path / "a", "A"), _tree(tmp_path / "b", "B")
    exchange(a, b)
    assert (a / "f").read_text() == "B" and (b / "f").read_text() == "A"
    with pytest.raises(OSError) as err:
        exchange(a, tmp_path / "missing")
    assert err.value.errno == errno.ENOENT


def test_swap_in_puts_new_tree_in_place(tmp_path: Path) -> None:
    share = _tree(tmp_path / "s", "old")
    _tree(tmp_path / "s.reverting", "new")
    swap_in(share, _remove)
    assert (share / "f").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


@pytest.mark.parametrize(("present", "expected"), [
    ({"s": "old"}, "old"),
    ({"s": "old", "s.reverting": "new"}, "old"),  # before the exchange: undo
    ({"s": "new", "s.reverting": "old"}, "new"),  # after it: clean up
    ({"s.old": "old", "s.reverting": "new"}, "new"),  # between fallback renames
    ({"s": "new", "s.old": "old"}, "new"),  # after them
    ({"s.old": "old"}, "old"),
])
def test_recover_swap_leaves_one_whole_tree(tmp_path: Path, present: dict[str, str],
                                            expected: str) -> None:
    for name, content in present.items():
        _tree(tmp_path / name, content)
    recover_swap(tmp_path / "s", _remove)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]
    assert (tmp_path / "s" / "f").read_text() == expected
