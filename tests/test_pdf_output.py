"""The shared PDF printer and the headless-Chromium helper the render tests rely on."""

import subprocess

from pipeline.outputs.pdf import write_pdf
from tests.browser import render


def test_pdf_has_pages_and_text_and_fetches_nothing(tmp_path):
    html = ('<html><body><h1>Headline findings</h1><p>Child A was seen.</p>'
            '<img src="http://example.invalid/logo.png"></body></html>')
    pdf = write_pdf(html, tmp_path / "out.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Headline findings" in text and "Child A was seen." in text
    assert not list(tmp_path.glob(".*.tmp"))


def test_browser_helper_sees_an_external_request(tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<html><body><p>x</p><img src="http://example.invalid/x.png"></body></html>')
    assert render(page, tmp_path / "p.png") == ["http://example.invalid/x.png"]
    page.write_text("<html><body><p>x</p></body></html>")
    assert render(page, tmp_path / "q.png") == []
