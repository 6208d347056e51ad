"""Errors a user can cause and fix.

Every problem that comes from input (a query, a date, a file, a missing
index) is raised as a :class:`SitrepError` subclass.  The message is shown to
the user unchanged, so it says what to do next.  ``status`` is read by
``web/errors.py`` and ``exit_code`` by ``search/cli.py``: those two places are
the only ones that turn errors into responses.
"""

from __future__ import annotations


class SitrepError(Exception):
    """A problem the user can fix; ``str(err)`` is shown to them unchanged."""

    status = 400
    exit_code = 1


class BadInput(SitrepError):
    """A query, date, filter or parameter value that cannot be used."""

    exit_code = 2  # a usage error, like click's UsageError


class QuerySyntaxError(BadInput):
    """The query text cannot be parsed (unbalanced quotes, unknown field...)."""


class BadDate(BadInput):
    """A from/to date that python-dateutil cannot read."""


class IndexMissing(SitrepError):
    """No index exists at the configured directory yet."""

    status = 503


class SchemaChanged(SitrepError):
    """The index on disk was built with a different schema; it needs --rebuild."""

    status = 503


class IndexBusy(SitrepError):
    """Another writer holds the index lock."""

    status = 503


class IndexDamaged(SitrepError):
    """A file of the index's current generation is missing, unreadable, cut short or garbled.

    Raised when opening or reading the index meets the damage, and by
    ``sitrep check``.  ``filename`` is the damaged file (relative to the
    index directory) and ``problem`` what is wrong with it; the cure is
    always a rebuild, which never reads the damaged index.
    """

    status = 503

    def __init__(self, index_dir: object, filename: str, problem: str) -> None:
        self.index_dir, self.filename, self.problem = str(index_dir), filename, problem
        super().__init__(
            f"the index at {index_dir} is damaged ({filename}: {problem}); run `sitrep index --rebuild`"
        )


class DiskFull(SitrepError):
    """The disk filled up while `sitrep index` was writing; its unfinished files are removed."""

    status = 507  # Insufficient Storage


class TaxonomyError(SitrepError):
    """The taxonomy or gazetteer file cannot be read or has the wrong shape."""


class NotFound(SitrepError):
    """A report or paragraph id that is not in the index."""

    status = 404


class ReportNotFound(NotFound):
    """No report with that id."""


class ParagraphNotFound(NotFound):
    """No paragraph with that id."""


class CannotListen(SitrepError):
    """`sitrep serve` cannot listen on its host and port: in use, privileged, or not this machine's."""


class PullError(SitrepError):
    """`sitrep pull` could not fetch some URLs, or cannot keep its folder or manifest."""


class ClusterUnavailable(SitrepError):
    """The OpenSearch cluster of the opensearch back end does not answer, or has no Sitrep index yet."""

    status = 503


class ClusterRejected(SitrepError):
    """The OpenSearch cluster refused documents or a change; nothing of that step was applied."""

    status = 503
