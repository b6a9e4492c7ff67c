"""``python -m biomedkit.datasets`` prints the catalogue as Markdown (datasets/README.md)."""

from biomedkit.datasets._cards import to_markdown

print(to_markdown(), end="")
