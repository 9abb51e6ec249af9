"""A labelled synthetic UCDP GED file, made by resampling the real Central African Republic rows.

Each synthetic row is a real GED 23.1 CAR row (drawn with replacement, seeded) with:

- a new, unique ``id`` (from :data:`FIRST_ID` up, far above UCDP's own ids);
- its point moved by up to :data:`COORDINATE_JITTER` degrees, kept inside CAR's bounding box,
  with ``geom_wkt`` and ``priogrid_gid`` recomputed from the new point;
- its dates moved together by up to :data:`DATE_JITTER_DAYS`, kept within 1989-2022, so
  ``date_end >= date_start`` and the length of the period are as published; ``year`` follows;
- often one death count changed a little, with ``best``, ``low`` and ``high`` moved by the same
  amount, so best stays the sum it was and low <= best <= high holds wherever UCDP had it.

Nothing else changes: actors, places, admin units and sources are the real ones. The file has
the real file's 49 columns and no others; it is labelled synthetic by its name, which must say
so and must still look like a GED release (``ged_23_1_SYNTHETIC.csv``) for the importer to read
the version. Run ``python -m bench.synthetic OUT.csv --rows N --seed S`` to write one by hand.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
from pathlib import Path

from commonground.core.geo import country_boxes, priogrid_gid

#: The real extract the rows are drawn from (UCDP GED 23.1, Central African Republic).
SOURCE_NAME = "ged_23_1_CAF.csv"

#: The name the benchmark writes: a GED release name the importer reads as 23.1, and a label.
SYNTHETIC_NAME = "ged_23_1_SYNTHETIC.csv"

#: Synthetic ids start here; UCDP's own ids are below 1,000,000.
FIRST_ID = 100_000_001

#: How far a point may move, in degrees of latitude and longitude (0.1 degree is ~11 km).
COORDINATE_JITTER = 0.1

#: How far an event's dates may move, in days, both dates by the same amount.
DATE_JITTER_DAYS = 3 * 365

FIRST_DAY = dt.date(1989, 1, 1)
LAST_DAY = dt.date(2022, 12, 31)

DEATH_COLUMNS = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")


def default_source() -> Path:
    """The real CAR extract, where the settings look for reference data."""
    data_dir = os.environ.get("COMMONGROUND_DATA_DIR") or (
        Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    return Path(data_dir) / SOURCE_NAME


def _bounding_box() -> tuple[float, float, float, float]:
    """CAR's (west, south, east, north), the union of its parts' boxes."""
    boxes = country_boxes("CAF")
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def write_synthetic_ged(path: Path, rows: int, seed: int = 0, source: Path | None = None) -> Path:
    """Write ``rows`` synthetic GED events to ``path`` (a labelled GED release name).

    The same ``rows`` and ``seed`` always give the same file, byte for byte.
    """
    path = Path(path)
    if "synthetic" not in path.name.lower():
        raise ValueError(f"{path.name}: a synthetic file must say 'synthetic' in its name")
    if rows < 1:
        raise ValueError("rows must be at least 1")
    source = Path(source) if source is not None else default_source()
    with source.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        real = [record for record in reader if record]
    col = {name: index for index, name in enumerate(header)}
    i_id, i_year, i_wkt, i_grid = col["id"], col["year"], col["geom_wkt"], col["priogrid_gid"]
    i_lat, i_lon, i_start, i_end = (
        col["latitude"],
        col["longitude"],
        col["date_start"],
        col["date_end"],
    )
    i_deaths = [col[name] for name in DEATH_COLUMNS]
    i_best, i_low, i_high = col["best"], col["low"], col["high"]
    # What each real row's jitter starts from, worked out once: point, day numbers, time suffix.
    parsed = [
        (
            record,
            float(record[i_lat]),
            float(record[i_lon]),
            dt.date.fromisoformat(record[i_start][:10]).toordinal(),
            dt.date.fromisoformat(record[i_end][:10]).toordinal(),
            record[i_start][10:],
            record[i_end][10:],
        )
        for record in real
    ]
    west, south, east, north = _bounding_box()
    rng = random.Random(seed)
    uniform, randint, random_ = rng.uniform, rng.randint, rng.random
    first_ordinal, last_ordinal = FIRST_DAY.toordinal(), LAST_DAY.toordinal()
    jitter, days = COORDINATE_JITTER, DATE_JITTER_DAYS

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")  # as UCDP writes it
        writer.writerow(header)
        batch: list[list[str]] = []
        for n in range(rows):
            source_row, lat, lon, start, end, start_time, end_time = rng.choice(parsed)
            record = list(source_row)
            record[i_id] = str(FIRST_ID + n)

            lat = min(max(lat + uniform(-jitter, jitter), south), north)
            lon = min(max(lon + uniform(-jitter, jitter), west), east)
            lat_text, lon_text = f"{lat:.6f}", f"{lon:.6f}"
            record[i_lat], record[i_lon] = lat_text, lon_text
            record[i_wkt] = f"POINT ({lon_text} {lat_text})"
            record[i_grid] = str(priogrid_gid(float(lat_text), float(lon_text)))

            shift = min(max(randint(-days, days), first_ordinal - start), last_ordinal - end)
            new_start = dt.date.fromordinal(start + shift)
            record[i_start] = new_start.isoformat() + start_time
            record[i_end] = dt.date.fromordinal(end + shift).isoformat() + end_time
            record[i_year] = str(new_start.year)

            if random_() < 0.5:
                which = rng.choice(i_deaths)
                old = int(record[which])
                delta = max(0, old + randint(-2, 3)) - old
                record[which] = str(old + delta)
                record[i_best] = str(int(record[i_best]) + delta)
                if record[i_low] != "":
                    record[i_low] = str(max(0, int(record[i_low]) + delta))
                if record[i_high] != "":
                    record[i_high] = str(max(0, int(record[i_high]) + delta))

            batch.append(record)
            if len(batch) >= 10_000:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help=f"where to write it (e.g. {SYNTHETIC_NAME})")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, default=None, help="the real GED CSV to resample")
    args = parser.parse_args(argv)
    written = write_synthetic_ged(args.out, args.rows, args.seed, args.source)
    print(f"{written}: {args.rows:,} synthetic GED events (seed {args.seed})")


if __name__ == "__main__":
    main()
