"""The `sitrep` command line: index, pull, search, explain, serve.

Each command checks its input, calls one function of the engine and formats
the result.  Errors are turned into one ``Error: ...`` line and an exit code
in one place, :meth:`SitrepGroup.invoke`.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
from pathlib import Path
from typing import Any, Callable

import click

from . import (
    SORTS,
    SearchPage,
    Settings,
    SitrepError,
    check_backend,
    check_index,
    env_name,
    export_opensearch,
    load_settings,
    load_taxonomy,
    open_backend,
    parse_exclusions,
    parse_whole_number,
    pull,
    update_backend,
)


class CommandError(click.ClickException):
    """A :class:`SitrepError` on its way to the terminal, with the error's exit code."""

    def __init__(self, error: SitrepError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code


class WholeNumber(click.ParamType):
    """A whole number in the digits 0-9, optionally bounded.

    click's own int type is Python's ``int()``, which reads "١٢" as 12 and
    "1_0" as 10 (#13).  A bad value raises :class:`BadInput`, not
    ``self.fail``, so :meth:`SitrepGroup.invoke` prints it as one ``Error:``
    line (exit 2) without the usage text.
    """

    name = "integer"

    def __init__(self, minimum: int = 0, maximum: int | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """:raises BadInput: not the digits 0-9, or out of bounds."""
        label = param.opts[0] if param is not None and param.opts else "the number"
        return parse_whole_number(str(value), label, minimum=self.minimum, maximum=self.maximum)


class SitrepGroup(click.Group):

    """Turns every :class:`SitrepError` into ``Error: <message>`` and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SitrepError as error:
            raise CommandError(error) from None


def settings_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --index-dir, --taxonomy and --gazetteer and pass the loaded Settings.

    Flags default to None so that a flag left out never hides a SITREP_*
    variable (see search/config.py).
    """

    @click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help=f"Index directory [env {env_name('index_dir')}; default ./index].")
    @click.option("--taxonomy", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help=f"Topic taxonomy TOML file [env {env_name('taxonomy')}].")
    @click.option("--gazetteer", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help=f"Places TOML file [env {env_name('gazetteer')}].")
    @functools.wraps(command)
    def wrapper(index_dir: Path | None, taxonomy: Path | None, gazetteer: Path | None, **kwargs: Any) -> Any:
        settings = load_settings(index_dir=index_dir, taxonomy=taxonomy, gazetteer=gazetteer)
        return command(settings, **kwargs)

    return wrapper


def backend_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --backend, --opensearch-url and --opensearch-index on top of :func:`settings_options`."""

    @click.option("--backend", type=click.Choice(["whoosh", "opensearch"]), default=None,
                  help=f"Index and search the Whoosh index or an OpenSearch cluster [env {env_name('backend')}; "
                       "default whoosh].")
    @click.option("--opensearch-url", default=None,
                  help=f"The cluster's URL, several separated by commas [env {env_name('opensearch_url')}; "
                       "default http://127.0.0.1:9200].")
    @click.option("--opensearch-index", default=None,
                  help=f"The cluster's alias for the paragraphs [env {env_name('opensearch_index')}; "
                       "default sitrep-paragraphs].")
    @functools.wraps(command)
    def wrapper(settings: Settings, backend: str | None, opensearch_url: str | None, opensearch_index: str | None,
                **kwargs: Any) -> Any:
        settings = load_settings(**{**settings_overrides(settings), "backend": backend,
                                    "opensearch_url": opensearch_url, "opensearch_index": opensearch_index})
        return command(settings, **kwargs)

    return wrapper


@click.group(cls=SitrepGroup)
@click.version_option(package_name="sitrep")
def cli() -> None:
    """Sitrep: find the paragraph in conflict and humanitarian reports."""


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Start from an empty index (needed after a schema change).")
@settings_options
@backend_options
def index_command(settings: Settings, paths: tuple[Path, ...], rebuild: bool) -> None:
    """Index report files and directories (default: ./seeds), incrementally.

    New and changed files are read, unchanged ones are left alone, and
    files that were deleted lose their paragraphs.
    """
    run_index(settings, list(paths) or None, rebuild=rebuild)


def run_index(settings: Settings, paths: list[Path] | None, rebuild: bool = False) -> None:
    """Update the index as `sitrep index` does and print what it skipped and its summary."""

    def progress(files: list[Path]):
        if len(files) < 20:
            return files
        return click.progressbar(files, label="Reading reports", file=click.get_text_stream("stderr"))

    def with_bar(files):
        bar = progress(list(files))
        if isinstance(bar, list):
            yield from bar
            return
        with bar as items:
            yield from items

    def push_bar(batches, count: int):
        if count < 2:  # one bulk request is over before a bar would show
            yield from batches
            return
        with click.progressbar(batches, length=count, label="Sending to OpenSearch",
                               file=click.get_text_stream("stderr")) as bar:
            yield from bar

    summary, pushed = update_backend(settings, paths, rebuild=rebuild, progress=with_bar, push_progress=push_bar)
    for path, reason in summary.skipped:
        click.echo(f"skipped {path}: {reason}", err=True)
    for path, warning in summary.warnings:
        click.echo(f"warning {path}: {warning}", err=True)
    click.echo(summary.line())
    if pushed is not None:
        click.echo(pushed.line())


@cli.command("pull")
@click.argument("urls", nargs=-1, required=True)
@click.option("--into", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Folder to save the reports in [default: the first of {env_name('reports')}, ./seeds].")
@click.option("--refresh", is_flag=True,
              help="Fetch URLs pulled before again (conditional GET); replace only files whose content changed.")
@settings_options
def pull_command(settings: Settings, urls: tuple[str, ...], into: Path | None, refresh: bool) -> None:
    """Fetch report pages, or every item of RSS/Atom feeds, into the reports folder and index them.

    URLs already pulled, and content already saved under another URL, are
    skipped.  Exits with status 1 when any URL failed; the others are still
    saved and indexed.
    """
    summary = pull(settings, urls, into=into, refresh=refresh)
    for url, reason in summary.failed:
        click.echo(f"skipped {url}: {reason}", err=True)
    click.echo(summary.line())
    run_index(settings, [summary.folder])
    summary.check()


@cli.command("search")
@click.argument("query", default="")
@click.option("--topic", multiple=True, help="Only paragraphs with this topic (repeat to OR).")
@click.option("--source", multiple=True, help="Only paragraphs from this source (repeat to OR).")
@click.option("--place", multiple=True, help="Only paragraphs naming this place (repeat to OR).")
@click.option("--section", multiple=True, help="Only paragraphs under this section (repeat to OR).")
@click.option("--label", multiple=True, help="Only paragraphs with this evidence label (repeat to OR).")
@click.option("--cited", multiple=True, help="Only paragraphs citing this domain, e.g. t.me (repeat to OR).")
@click.option("--exclude", multiple=True, metavar="FIELD:VALUE",
              help="Leave out paragraphs with this facet value, e.g. topic:Syria (repeat for more).")
@click.option("--from", "date_from", help="Earliest report date: 2024-12-01, 'Dec 2024', 'last 30 days'.")
@click.option("--to", "date_to", help="Latest report date, same forms as --from.")
@click.option("--event-from", help="Earliest date the paragraph mentions (\"on December 13\"), same forms.")
@click.option("--event-to", help="Latest date the paragraph mentions, same forms.")
@click.option("--collapse", is_flag=True, help="One hit per repeated paragraph, with the other reports listed.")
@click.option("--literal", is_flag=True, help="Search the words as typed: no other spellings or forms of names, no corrections.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True, help="Result order.")
@click.option("--page", type=WholeNumber(), default=1, show_default=True, help="Result page to show.")
@click.option("--per-page", type=WholeNumber(), default=None, help="Hits per page [default 10].")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON the API returns.")
@settings_options
@backend_options
def search_command(
    settings: Settings,
    query: str,
    topic: tuple[str, ...],
    source: tuple[str, ...],
    place: tuple[str, ...],
    section: tuple[str, ...],
    label: tuple[str, ...],
    cited: tuple[str, ...],
    exclude: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    event_from: str | None,
    event_to: str | None,
    collapse: bool,
    literal: bool,
    sort: str,
    page: int,
    per_page: int | None,
    as_json: bool,
) -> None:
    """Print the paragraphs that best match QUERY (empty: all that pass the filters)."""
    filters = {
        "topic": topic, "source": source, "place": place, "section": section, "label": label, "cited": cited,
    }
    with open_backend(settings) as index:
        result = index.search(
            query, filters=filters, date_from=date_from, date_to=date_to,
            sort=sort, page=page, per_page=per_page,
            event_from=event_from, event_to=event_to, collapse=collapse, literal=literal,
            exclude=parse_exclusions(exclude),
        )
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_page(result))


def terminal_snippet(snippet: str) -> str:
    """Turn an HTML snippet into terminal text, matches in bold."""
    parts = re.split(r"<mark>(.*?)</mark>", snippet)
    return "".join(
        click.style(html.unescape(part), bold=True) if i % 2 else html.unescape(part)
        for i, part in enumerate(parts)
    )


def format_page(page: SearchPage) -> str:
    """A result page as text for the terminal."""
    noun = "paragraph" if page.total == 1 else "paragraphs"
    lines = [f"{page.total} {noun} match; page {page.page} of {page.pages}"]
    if page.showing_results_for is not None:
        lead, instead = ("Showing results for", "instead") if page.corrected else ("Also searched as", "only")
        lines.append(f"{lead} {page.showing_results_for}; search {instead} for {page.search_instead_for} with --literal")
    if page.did_you_mean:
        lines.append(f"Did you mean: {page.did_you_mean}")
    if page.relaxed_note:
        lines.append(page.relaxed_note)
    for number, hit in enumerate(page.hits, start=(page.page - 1) * page.per_page + 1):
        date = (hit.date or "undated") + (" (inferred)" if hit.date_inferred else "")
        lines.append("")
        lines.append(f"{number}. {date} | {hit.source} | {hit.title}")
        if hit.section:
            lines.append(f"   section: {hit.section}")
        if hit.label:
            lines.append(f"   label: {hit.label}")
        lines.append("   " + terminal_snippet(hit.snippet))
        tags = ", ".join(hit.topics + hit.places)
        lines.append(f"   id {hit.id}  {hit.url}" + (f"  [{tags}]" if tags else ""))
        if hit.also_in:
            lines.append(f"   also in {len(hit.also_in)} report(s): " + ", ".join(o["report_id"] for o in hit.also_in))
    for name in ("topic", "source", "place"):
        values = page.facets.get(name, [])[:8]
        if values:
            lines.append("")
            lines.append(f"{name}: " + ", ".join(
                f"not {v.value} ({v.count} left out)" if v.excluded else f"{v.value} ({v.count})" for v in values
            ))
    return "\n".join(lines)


@cli.command("explain")
@click.argument("paragraph_id")
@settings_options
def explain_command(settings: Settings, paragraph_id: str) -> None:
    """Say which words gave a paragraph its topics and places, and where its date came from."""
    with open_backend(settings) as index:
        hit = index.paragraph(paragraph_id)
    tags = load_taxonomy(settings.taxonomy, settings.gazetteer).tag(hit.text)
    click.echo(f"{hit.id}: {hit.source}, {hit.title} (paragraph {hit.position}, {hit.kind})")
    click.echo(f"date: {hit.date or 'none'} ({hit.date_basis or 'date line'})")
    for label, found, stored in (("topic", tags.topics, hit.topics), ("place", tags.places, hit.places)):
        if not found and not stored:
            click.echo(f"{label}s: none")
        for name, words in found.items():
            click.echo(f"{label} {name}: " + ", ".join(repr(w) for w in words))
        for name in stored:
            if name not in found:
                click.echo(f"{label} {name}: indexed, but the current taxonomy no longer gives it")


@cli.command("check")
@settings_options
def check_command(settings: Settings) -> None:
    """Read every file of the index and say whether it is whole (exit status 1 when not)."""
    click.echo(check_index(settings.index_dir).line())


@cli.command("serve")
@click.option("--host", default=None, help="Address to listen on [env SITREP_HOST; default 127.0.0.1].")
@click.option("--port", type=WholeNumber(1, 65535), default=None, help="Port [env SITREP_PORT; default 5000].")
@click.option("--workers", type=WholeNumber(1, 64), default=None,
              help="gunicorn worker processes [env SITREP_WORKERS; default 2].")
@click.option("--base-url", default=None,
              help="Absolute URL users reach Sitrep at, for links in feeds and exports "
                   "[env SITREP_BASE_URL; default http://HOST:PORT].")
@click.option("--debug", is_flag=True, help="Flask's development server with debugger and reloader (never in production).")
@settings_options
@backend_options
def serve_command(settings: Settings, host: str | None, port: int | None, workers: int | None,
                  base_url: str | None, debug: bool) -> None:
    """Serve the search page and the JSON API (gunicorn; Flask's server with --debug)."""
    from web import create_app  # the engine must not need the web package
    from web.listen import check_listen_address

    settings = load_settings(**{**settings_overrides(settings), "host": host, "port": port, "workers": workers,
                                "base_url": base_url})
    create_app(settings).extensions["sitrep"].close()  # a bad taxonomy fails here, before any fork
    check_backend(settings)  # a damaged index or a cluster that does not answer (no Whoosh index yet: 503s)
    # One Error: line here, instead of gunicorn's five retries with two ERROR lines each (#13).
    check_listen_address(settings.host, settings.port)
    where = (f"OpenSearch {settings.opensearch_index} at {settings.opensearch_url}" if settings.backend == "opensearch"
             else f"index {settings.index_dir}")
    click.echo(f"Serving Sitrep on http://{settings.host}:{settings.port}/ ({where})", err=True)
    if debug:
        create_app(settings).run(host=settings.host, port=settings.port, debug=True, use_reloader=True)
    else:
        from web.server import serve

        serve(settings, settings.workers)


def settings_overrides(settings: Settings) -> dict[str, Any]:
    """Settings as keyword overrides, to derive new Settings with a few fields changed."""
    return {name: getattr(settings, name) for name in Settings.help_texts()}


@cli.command("export")
@click.option("--opensearch", "outdir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Write OpenSearch bulk NDJSON files and mapping.json into this directory.")
@settings_options
def export_command(settings: Settings, outdir: Path) -> None:
    """Export every indexed paragraph for loading into an OpenSearch cluster."""
    summary = export_opensearch(settings, outdir)
    click.echo(f"{summary.line()} written to {outdir}")


@cli.command("settings")
@settings_options
def settings_command(settings: Settings) -> None:
    """Show every setting, its value, and the environment variable that sets it."""
    for name, help_text in Settings.help_texts().items():
        value = getattr(settings, name)
        if isinstance(value, tuple):
            value = os.pathsep.join(str(v) for v in value)
        click.echo(f"{name} = {value}    [{env_name(name)}] {help_text}")


def main() -> None:
    """Entry point of the `sitrep` console script."""
    cli(prog_name="sitrep")
