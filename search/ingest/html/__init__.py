"""Saved web pages -> :class:`ReportPage`: the article body, without the site around it.

Parsed with the standard library's :class:`html.parser.HTMLParser`: it is
maintained with CPython, tolerates the broken markup saved pages are full
of, and costs no dependency.  The parser is driven as a stream of start
tags, text and end tags, with an explicit stack instead of a tree, so a page
nested ten thousand levels deep costs memory, not recursion.

What a report page looks like (ISW's daily assessments, think tanks' posts,
Drupal and WordPress sites): site chrome (menus, share buttons, related
posts, attachment lists, footers) around an article body; headings as
``<h2>`` or as a paragraph holding only bold text; takeaways as ``<li>``;
inline footnote markers ``[12]``; and an endnotes block of paragraphs that
start with ``[n]`` and hold links.  The rules:

* text inside ``script``, ``style``, ``template``, form controls and hidden
  elements is never text;
* ``nav``, ``header``, ``footer``, ``aside``, ``form`` and elements whose
  class or id names chrome ("share", "related", "menu", "sidebar", …) are
  chrome *unless they hold most of the page's text*: real pages put such
  classes on ``<body>`` ("one-sidebar sidebar-second") or wrap everything in
  a ``<form>``, and dropping the article with them loses the report;
* when the page marks its article (``<article>``, ``<main>``, ``itemprop=
  articleBody``, ``entry-content``, Drupal's ``field-name-body``), only text
  inside it counts;
* ``h1``–``h6`` and paragraphs that are all bold are headings, ``li``
  bullets, other blocks paragraphs; a short parenthesised line right after
  a heading belongs to the heading;
* not records: author and "submitted" lines, attachment lists and file
  names, "Download the PDF" links, map captions ("Click here to expand the
  map below"), and in-page tables of contents (a list of links to anchors,
  or a list whose items repeat the page's later headings);
* ``[n] … link`` paragraphs are endnotes; a link whose text the site
  shortened ("https://t.me/…") stands for its ``href``.

The page's own ``<title>``/``<h1>`` names the report unless ``og:title`` is
specific to it (sites often put their own name there), and the canonical
link beats ``og:url`` (which may name a staging host).

Modules: :mod:`.parser` (the stream parser) and :mod:`.reader` (its blocks
-> a report page).
"""

from .reader import read_html

__all__ = ["read_html"]
