import pytest
from pathlib import Path
from commonground.core.importing import ImportRejected
from commonground.registry.importers import OPERATIONS, PRESENCE, PARALLEL_FORCES
from commonground.registry.tests.conftest import read_rows, write_rows
@pytest.mark.django_db
def test_x(import_file, tmp_path):
    header, rows = read_rows("operations.csv")
    rows = rows[:6]
    rows[0].update(lead_type="un_pko", start_date="2014-13", host_countries="ISR;XYZ;fra", unsc_authorization="S/RES/50")
    rows[1].update(end_date="1940", source_url="ftp://x", id="UN TSO")
    rows[2].update(acronym="UNTSO")
    with pytest.raises(ImportRejected) as e:
        import_file(OPERATIONS, write_rows(tmp_path / "operations.csv", header, rows))
    print(e.value.summary())
    header, rows = read_rows("presence_CAF.csv")
    rows = rows[:4]
    rows[0].update(latitude="48.85", longitude="2.35", personnel="-3", source_date="2014-02-30")
    rows[1].update(latitude="nan", organization_kind="UN mission", start="2015", end="2014-12")
    with pytest.raises(ImportRejected) as e:
        import_file(PRESENCE, write_rows(tmp_path / "presence_CAF.csv", header, rows))
    print(e.value.summary())
    with pytest.raises(ImportRejected) as e:
        import_file(PARALLEL_FORCES, Path("/work/shared/data/parallel_forces.csv"))
    print(e.value.summary())
