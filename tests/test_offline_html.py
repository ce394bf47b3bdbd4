"""The CI check that the built documentation loads nothing from the network."""

import importlib.util
from pathlib import Path

CHECK = Path(__file__).resolve().parents[1] / ".ci" / "check_offline_html.py"
spec = importlib.util.spec_from_file_location("check_offline_html", CHECK)
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)

LOCAL = """<html><head>
<script src="_static/mathjax/tex-chtml.js"></script>
<link rel="stylesheet" href="_static/skgenfund.css">
<style>@import "_static/basic.css";</style>
</head><body><a href="https://scikit-learn.org">a link loads nothing</a>
<img src="_images/figure.png"></body></html>"""


def test_local_site_passes(tmp_path, capsys):
    (tmp_path / "index.html").write_text(LOCAL)
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "theme.css").write_text("a { background: url(x.png) }")
    assert check.main(["check", str(tmp_path)]) == 0
    assert "1 pages" in capsys.readouterr().out


def test_each_remote_asset_is_reported(tmp_path, capsys):
    remote = LOCAL.replace(
        "</head>",
        '<script src="https://cdn.example.org/mathjax.js"></script>'
        '<link rel="preload stylesheet" href="//fonts.example.org/f.css">'
        '<style>body { background: url("https://x.example.org/b.png") }</style>'
        "</head>",
    )
    (tmp_path / "page.html").write_text(remote)
    (tmp_path / "theme.css").write_text("@import 'https://fonts.example.org/a.css';")
    assert check.main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    for url in (
        "https://cdn.example.org/mathjax.js",
        "//fonts.example.org/f.css",
        "https://x.example.org/b.png",
        "https://fonts.example.org/a.css",
    ):
        assert url in out
    assert "scikit-learn.org" not in out


def test_no_pages_is_an_error(tmp_path):
    assert check.main(["check", str(tmp_path)]) == 2
