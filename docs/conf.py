"""Sphinx configuration of the skdl documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (warnings are errors,
so a broken docstring or a failing gallery example fails the build). Nothing here reaches the
network: no intersphinx, and the gallery links code only to skdl's own pages. The built site
needs no network either: MathJax is copied into it (``sphinx-mathjax-offline``, MathJax 3.2.2)
instead of being loaded from a CDN; ``docs/check_offline_math.py`` checks that formulas render
in a browser that has no network.
"""

import logging
import os
import pathlib
import re
import sys
import time

DOCS_DIR = pathlib.Path(__file__).resolve().parent
# The skdl being documented is the one in this checkout, even if another copy is installed.
sys.path.insert(0, str(DOCS_DIR.parent))
sys.path.insert(0, str(DOCS_DIR))

os.environ.setdefault("MPLBACKEND", "Agg")

import skdl  # noqa: E402
from api_reference import write_api_reference  # noqa: E402

# The API page lists whatever skdl exports; write it before Sphinx looks for sources.
write_api_reference(DOCS_DIR)

project = "skdl"
author = "the skdl developers"
copyright = f"{time.gmtime().tm_year}, {author}"
version = release = skdl.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # Sets mathjax_path to a copy of MathJax in the site's _static/ (the package's name has dashes).
    "sphinx-mathjax-offline",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "**.ipynb_checkpoints"]
root_doc = "index"
default_role = "literal"
nitpicky = False

# -- autodoc / autosummary ----------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"
add_module_names = False
toc_object_entries_show_parents = "hide"

# -- numpydoc -----------------------------------------------------------------------------------
# Class pages list their methods through the autosummary template, not numpydoc's member tables
# (which would also pull in scikit-learn's inherited methods and their unresolvable references).
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
# Docstring checks that fail the build (under -W): every public object has a docstring with a
# summary, known sections in numpydoc's order, every parameter documented (and no unknown one) in
# signature order with a well-formed "name : type" line, a Returns section where something is
# returned, and a description for every See Also entry. (Style checks such as an extended summary
# or an Examples section on every method are left to review.)
numpydoc_validation_checks = {
    "GL06", "GL07", "GL08", "SS01", "PR01", "PR02", "PR03", "PR10", "RT01", "SA04",
}
# Methods inherited from scikit-learn are not ours to validate.
numpydoc_validation_exclude = {r"\.get_params$", r"\.set_params$", r"\.set_.*_request$", r"\.score$"}

# -- sphinx-gallery -----------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    # Every plot_*.py is executed; its figures are captured by the matplotlib scraper.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|/_",
    "within_subsection_order": "_gallery_order.CourseOrderSortKey",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "doc_module": ("skdl",),
    "backreferences_dir": "gen_modules/backreferences",
    # Link names in the examples' code to skdl's API pages (local only: no other URL is fetched).
    "reference_url": {"skdl": None},
    "remove_config_comments": True,
    "show_memory": False,
    "show_signature": False,
    "download_all_examples": False,
    "min_reported_time": 1,
    # A failing example fails the build.
    "only_warn_on_example_error": False,
    "abort_on_example_error": False,
    "plot_gallery": "True",
    "write_computation_times": False,
}

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skdl {release}"
html_static_path = ["_static"]
html_css_files = ["skdl.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc", "sg_download_links", "sg_launcher_links"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_context = {"default_mode": "light"}
# No section navigation where the page needs the width (gallery code, wide tables).
html_sidebars = {"index": [], "benchmarks": [], "auto_examples/plot_*": []}


# -- docstring fix-ups --------------------------------------------------------------------------
_SHAPE = re.compile(r"shape \(([^)]*)\)")
_BARE_TRAILING_UNDERSCORE = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?![`\w])")


def _quote_fitted_names_in_shapes(app, what, name, obj, options, lines):
    """Quote fitted-attribute names in shapes, ``(n_features_in_,)`` -> ``(`n_features_in_`,)``.

    A bare word ending in ``_`` is a hyperlink reference in reST ("Unknown target name"), and the
    scikit-learn way of writing shapes uses them; quoting them here keeps every estimator's
    docstring as written and its page building under ``-W``.
    """
    def quote(match):
        return "shape (" + _BARE_TRAILING_UNDERSCORE.sub(r"`\1`", match.group(1)) + ")"

    lines[:] = [_SHAPE.sub(quote, line) for line in lines]


class _AllowEmptyUserGuideGlob(logging.Filter):
    """Drop the "glob pattern didn't match" warning of the user guide's catch-all ``*`` only.

    ``user_guide/index.rst`` lists the linear-model pages first, then ``*`` for every other family
    page; where no other page exists yet that glob is legitimately empty. (Sphinx gives this
    warning no type, so ``suppress_warnings`` cannot reach it.)
    """

    def filter(self, record):
        message = record.getMessage()
        return not ("didn't match any documents" in message and "'*'" in message
                    and "user_guide" in str(getattr(record, "location", "")))


def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    """Leave out ``set_fit_request`` & co., which scikit-learn generates on every estimator class.

    They are scikit-learn's metadata-routing API, documented there; their docstrings refer to
    scikit-learn's glossary, which would be broken links here.
    """
    if re.fullmatch(r"set_\w+_request", name):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
    logging.getLogger("sphinx.sphinx.directives.other").addFilter(_AllowEmptyUserGuideGlob())
    # Before numpydoc (priority 500) turns the docstring into reST.
    app.connect("autodoc-process-docstring", _quote_fitted_names_in_shapes, priority=400)
