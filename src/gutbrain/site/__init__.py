"""The course as a website (issue 23): ``make site`` builds ``site/`` with Sphinx + myst-nb.

- ``static``: pure functions that turn the figure builders' output over a control's values into
  one client-side figure ("precomputed; launch to run the model"), and render it as HTML.
- ``display``: the site's display mode, switched on in the kernel that executes the lessons for
  the site: explorers show their ``static_figure()``, other widgets a static snapshot, and
  self-checks reveal their answer client-side.
- ``build``: stages the pages and runs Sphinx (``python -m gutbrain.site``).
"""
