import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages(demo, cast) -> None:
    client = Client()
    client.force_login(cast["sofia"])
    for url in ["/learning/", "/learning/benchmarks/", "/learning/programmes/sfcg-car-ouaka-dialogue/", "/learning/programmes/sfcg-car-ouaka-dialogue/iati.xml", "/learning/indicators/sfcg-vac-ouaka/"]:
        r = client.get(url)
        print(url, r.status_code)
        assert r.status_code == 200, r.content[:3000]
    from commonground.learning import iati
    print(iati.validate(client.get("/learning/programmes/sfcg-car-ouaka-dialogue/iati.xml").content))
    client.force_login(cast["amina"])
    r = client.get("/learning/benchmarks/")
    open("/tmp/bench.html", "wb").write(r.content)
