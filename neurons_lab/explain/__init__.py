"""explain: see every number of a training step, in both object models.

Reads the public state of ``neurons`` and ``vectorized`` networks (node outputs and deltas,
connection weights and gradients, layer arrays) after each of the library's own phases and
shows it: as text (``walkthrough``), a drawing (``drawing``), a page to step through
(``page``) and pictures of training (``plots``, needs matplotlib). Nothing here changes a
number inside a network except by calling the network's own public phases.
"""

from .examples import Example, article_example, example, from_json, mazur_example
from .names import ArticleNames, MazurNames

__all__ = ["Example", "article_example", "mazur_example", "example", "from_json",
           "ArticleNames", "MazurNames"]
