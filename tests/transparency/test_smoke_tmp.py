from fundapp.demo.services import seed_demo
from fundapp.reports import transparency


def test_smoke(client, db):
    seed_demo()
    items = transparency.list_programmes()
    print("programmes", len(items), [(p.reference, p.money.allocated, p.organisations) for p in items][:3])
    for url in ["/transparency/", "/api/v1/programmes", "/transparency/areas.csv", "/transparency/organisations.csv",
                "/transparency/regions.csv", "/transparency/programmes.csv", "/transparency/statement.csv",
                "/transparency/contributors.csv"]:
        r = client.get(url)
        print(url, r.status_code, r.get_data(as_text=True)[:300] if r.status_code != 200 or url.endswith("csv") else "")
        assert r.status_code == 200
    if items:
        r = client.get(f"/transparency/programmes/{items[0].id}")
        assert r.status_code == 200
        r = client.get(f"/api/v1/programmes/{items[0].id}")
        print(r.json)
