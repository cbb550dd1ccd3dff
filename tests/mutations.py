"""A Hypothesis strategy of damaged files: samples truncated, bytes flipped, lines dropped,
tokens inserted. The parsers' property tests feed it to check that any input gives statements
or a typed error."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st


def mutated_files(
    samples: Sequence[bytes], inserts: Sequence[bytes], min_ops: int = 0, max_ops: int = 4
) -> st.SearchStrategy[bytes]:
    """One of ``samples`` with ``min_ops`` to ``max_ops`` mutations (``inserts``: the tokens
    that may be inserted, the format's own markers being the most telling)."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(list(samples))))
        for _ in range(draw(st.integers(min_ops, max_ops))):
            if not data:
                break
            kind = draw(st.sampled_from(["truncate", "flip", "drop_line", "insert"]))
            pos = draw(st.integers(0, len(data) - 1))
            if kind == "truncate":
                del data[pos:]
            elif kind == "flip":
                data[pos] = draw(st.integers(0, 255))
            elif kind == "insert":
                data[pos:pos] = draw(st.sampled_from(list(inserts)))
            else:
                lines = bytes(data).split(b"\n")
                del lines[pos % len(lines)]
                data = bytearray(b"\n".join(lines))
        return bytes(data)

    return build()
