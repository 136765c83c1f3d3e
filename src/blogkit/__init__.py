"""blogkit: reference implementations behind the executable posts, and the site tooling.

Each topic module (one per post or series, named after it) holds the math as pure functions;
``blogkit.display`` turns results into Markdown tables and deterministic inline SVG figures;
``blogkit.device`` picks the compute device; ``blogkit.engine`` runs the posts' code; and
``blogkit.site`` is the MkDocs plugin that wires the blog together.

Topic modules are imported one by one, so that a snippet pays only for what it uses:
``import blogkit`` alone imports neither torch nor matplotlib.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
