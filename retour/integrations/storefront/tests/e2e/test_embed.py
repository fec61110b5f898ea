"""embed.js on a shop's product page (another origin): the snippet appears in the page's language,
links to the policy page, and has no serious or critical accessibility violation (axe-core)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[5] / "var" / "screenshots"


def _product_page(script_url: str) -> ThreadingHTTPServer:
    html = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>T-shirt bleu</title></head>
<body><main><h1>T-shirt bleu</h1><p>19,90 €</p>
<script src="{script_url}" data-store="shop" data-sku="TSHIRT-M" data-country="FR"></script>
</main></body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_the_snippet_shows_the_returns_information_on_another_sites_page(live_server, phone, store):
    from axe_playwright_python.sync_playwright import Axe

    shop = _product_page(f"{live_server.url}/public/embed.js")
    try:
        phone.goto(f"http://127.0.0.1:{shop.server_address[1]}/")
        snippet = phone.locator(".retour-returns")
        snippet.locator("a").wait_for()
        text = snippet.inner_text()
        assert "30 jours" in text and "14 jours" in text
        link = snippet.locator("a")
        assert link.inner_text() == "Politique de retour"
        assert link.get_attribute("href").endswith("/fr/portal/shop/policy")
        assert snippet.get_attribute("lang") == "fr"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SCREENSHOTS / "embed-01-product-page.png"), full_page=True)
        results = Axe().run(phone)
        serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        assert serious == [], [v["id"] for v in serious]
    finally:
        shop.shutdown()
        shop.server_close()
