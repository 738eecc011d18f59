"""Parsing time of a large exhibit: a corpus body repeated to SIZE bytes (default 1 MB).

    .venv/bin/python bench/importer_speed.py /work/shared/corpus/011_oracle_2014-06-19.htm

Prints the size and the best of five parse times (wall clock and CPU time of this process, the
latter less disturbed by other load on the machine).
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from releases.exhibits import parse_exhibit


def big_exhibit(path: Path, size: int) -> bytes:
    data = path.read_bytes()
    if path.suffix.lower() in (".htm", ".html"):
        head, sep, rest = data.partition(b"</body>")
        body_start = head.lower().find(b"<body")
        body_start = head.find(b">", body_start) + 1 if body_start >= 0 else 0
        prefix, middle = head[:body_start], head[body_start:]
        out = prefix + middle
        while len(out) < size:
            out += middle
        return out + sep + rest
    out = data
    while len(out) < size:
        out += b"\n\n" + data
    return out


def main() -> None:
    path = Path(sys.argv[1])
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    data = big_exhibit(path, size)
    wall, cpu = [], []
    for _ in range(5):
        start, start_cpu = time.perf_counter(), time.process_time()
        parse_exhibit(data, filename=path.name)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(
        f"{path.name}: {len(data):,} bytes, best of 5: {min(wall):.3f} s wall, {min(cpu):.3f} s CPU"
    )


if __name__ == "__main__":
    main()
