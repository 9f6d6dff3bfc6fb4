"""The artifact check's glibc reading (tests/artifact/check_artifact.py), on made-up inputs: a
wheel the python3.13 runtime could not load must fail `make sam-build`, not the first invocation."""

from tests.artifact.check_artifact import glibc_needed, wheel_glibc


def test_the_newest_glibc_symbol_version_a_shared_object_names() -> None:
    binary = b"\x7fELF...\x00GLIBC_2.17\x00memcpy\x00GLIBC_2.28\x00GLIBC_2.4\x00"
    assert glibc_needed(binary) == (2, 28)
    assert glibc_needed(b"\x7fELF no versions") is None
    # 2.9 < 2.17: versions compare as numbers, not as strings
    assert glibc_needed(b"GLIBC_2.9\x00GLIBC_2.17") == (2, 17)


def test_a_wheels_glibc_is_the_oldest_of_its_manylinux_tags() -> None:
    both = "Wheel-Version: 1.0\nTag: cp313-cp313-manylinux_2_26_aarch64\nTag: cp313-cp313-manylinux_2_28_aarch64\n"
    assert wheel_glibc(both) == (2, 26)
    assert wheel_glibc("Tag: cp313-cp313-manylinux2014_aarch64\nTag: cp313-cp313-manylinux_2_17_aarch64\n") == (2, 17)
    assert wheel_glibc("Tag: cp313-cp313-manylinux_2_35_aarch64\n") == (2, 35)
    assert wheel_glibc("Tag: py3-none-any\n") is None
