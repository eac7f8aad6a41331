async def test_every_store_answers_healthz_and_readyz(client):
    # Given the host app with every store, when probes are called, then all are ready.
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"


async def test_host_page_lists_every_store_and_each_home_answers(client):
    page = await client.get("/")
    assert page.status_code == 200
    for slug in ("atelier-arome", "wholesale", "qala", "cattle-insurance", "audio-tai-loc"):
        assert f'href="/{slug}/"' in page.text
        home = await client.get(f"/{slug}/")
        assert home.status_code == 200, (slug, home.text[:300])
        assert "content-security-policy" in home.headers
