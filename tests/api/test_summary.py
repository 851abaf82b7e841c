def test_summary_is_public_json_with_money_as_strings(client):
    response = client.get("/api/v1/summary")
    assert response.status_code == 200
    data = response.get_json()
    assert data["fund"] == {
        "code": "MIG00",
        "name": "Migration Multi-Partner Trust Fund",
        "currency": "USD",
        "capitalization_target_usd": "70000000.00",
    }
    areas = {a["code"]: a for a in data["thematic_areas"]}
    assert list(areas) == ["TA1", "TA2", "TA3", "TA4", "TA5"]
    assert areas["TA3"]["objectives"] == [4, 9, 10, 11, 14, 21]
    assert sorted({n for a in areas.values() for n in a["objectives"]}) == list(range(1, 24))
    assert [p["code"] for p in data["guiding_principles"]] == list("abcdefghij")


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["status"] == 404


def test_summary_runs_a_fixed_number_of_queries(client, queries):
    with queries() as q:
        client.get("/api/v1/summary")
    assert len(q) <= 30  # a few aggregates per capability; each domain's tests show its part does not grow with rows
