"""Headers every page carries: a strict CSP, no sniffing, no framing, HSTS under HTTPS."""


def test_pages_carry_the_security_headers(client, meeting):
    response = client.get(f"/m/{meeting.code}")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_over_https(client):
    response = client.get("/", base_url="https://rakor.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_page_uses_inline_script_or_style(client, meeting):
    for url in ("/", f"/m/{meeting.code}", "/status", "/login"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and "<style" not in page, url
