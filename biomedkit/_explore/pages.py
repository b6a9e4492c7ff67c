"""Standalone HTML pages for the downloads (a model card, a report)."""

from __future__ import annotations

import html


def markdown_to_html(text: str, title: str) -> str:
    """A standalone HTML page of a Markdown text (a model card), every character of the
    text escaped first: a column name such as ``<img ...>`` stays text."""
    import markdown

    body = markdown.markdown(html.escape(text, quote=False), extensions=["tables"])
    style = ("body{font-family:sans-serif;max-width:70em;margin:auto}"
             "table{border-collapse:collapse;font-size:90%}td,th{padding:2px 8px;border:1px solid #ccc}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>{body}</body></html>\n")


def report_page(fragment: str, title: str) -> str:
    """A standalone HTML page around a report's HTML fragment (already escaped)."""
    style = ("body{font-family:sans-serif;max-width:70em;margin:auto}"
             "table{border-collapse:collapse;font-size:90%}td,th{padding:2px 8px}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>{fragment}</body></html>\n")
