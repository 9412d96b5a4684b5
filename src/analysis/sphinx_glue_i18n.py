"""A Sphinx extension: glue roles inside translated prose.

Sphinx translates a paragraph by parsing the translation (the ``msgstr`` of ``locales/``) as a new
small document. For a notebook, MyST-NB parses it as plain MyST, and that document does not know
the notebook's glue data, so ``{glue:md}`key``` fails with "No key ... found in glue data". This
extension gives the translation's document the glue data of the notebook it belongs to, so the
translated sentence gets the same computed value as the original (no number is typed into a
translation). Loaded by the build through ``_config.yml`` (``sphinx.extra_extensions``).
"""

from __future__ import annotations


def setup(app):
    from myst_nb import sphinx_

    parser = sphinx_.Parser
    if not getattr(parser.parse, "keeps_glue_in_translations", False):
        original_parse = parser.parse
        original_load = sphinx_.load_renderer
        renderers: dict[str, object] = {}  # docname -> the notebook's renderer (holds its glue data)
        reading: list[str] = []  # the notebook being parsed

        def load_renderer(name):
            cls = original_load(name)

            def make(*args, **kwargs):
                renderer = cls(*args, **kwargs)
                if reading:
                    renderers[reading[-1]] = renderer
                return renderer

            return make

        def parse(self, inputstring, document):
            env = getattr(document.settings, "env", None) or self.env
            if document.current_source and document.current_source.endswith("<translated>"):
                if env.docname not in renderers:
                    return original_parse(self, inputstring, document)
                document["nb_renderer"] = renderers[env.docname]
                try:  # the glue roles are resolved while parsing; the renderer (which holds
                    # modules) must not stay in a tree Sphinx pickles with the page
                    return original_parse(self, inputstring, document)
                finally:
                    document.attributes.pop("nb_renderer", None)
            reading.append(env.docname)
            try:
                return original_parse(self, inputstring, document)
            finally:
                reading.pop()

        parse.keeps_glue_in_translations = True
        parser.parse = parse
        sphinx_.load_renderer = load_renderer
    return {"parallel_read_safe": False, "parallel_write_safe": True}
