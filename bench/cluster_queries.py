"""The fixed query set both back ends are compared on (#18): parity tests and bench/cluster.py.

Each entry is ``(q, options)`` for ``search(q, **options)``: every query
shape of README "Query syntax" (words, phrases, OR, NOT, -word, wildcards,
fuzzy words, fields, dates, names in other spellings, misspelt places,
plain questions that are relaxed), every filter and exclusion, both date
filters, every sort, collapse, grouping by report and paging.  The words
are those of the seeds and of bench/make_corpus.py's generated reports.
"""

from __future__ import annotations

QUERIES: list[tuple[str, dict]] = [
    # words
    ("Pokrovsk", {}),
    ("Kursk", {}),
    ("Russian forces advanced", {}),
    ("drones", {}),
    ("glide bombs", {}),
    ("advancing", {}),
    ("mobilization recruitment", {}),
    ("Kremlin", {}),
    # phrases
    ('"North Korean"', {}),
    ('"Russian forces"', {}),
    ('"Time of Heroes"', {}),
    ('"glide bomb strikes"', {}),
    ('"Geolocated footage" Pokrovsk', {}),
    # boolean
    ("Kursk OR Belgorod", {}),
    ("Kursk NOT Pokrovsk", {}),
    ("Kursk -Pokrovsk", {}),
    ("(Kursk OR Belgorod) \"North Korean\"", {}),
    ("drones AND refinery", {}),
    ("Shahed OR Iskander OR Kinzhal", {}),
    # wildcards and fuzzy
    ("Transnistr*", {}),
    ("Kupi*", {}),
    ("geoloc*", {}),
    ("mobili?ation", {}),
    ("Pokrovk~", {}),
    ("Vuhledra~2", {}),
    # fields
    ('topic:"North Korea"', {}),
    ("place:Pokrovsk", {}),
    ('source:"Institute for the Study of War"', {}),
    ('section:"Key Takeaways"', {}),
    ("kind:bullet Russian", {}),
    ("title:Kursk", {}),
    ("place:Kyiv drones", {}),
    # dates
    ("date:2024-12-14", {}),
    ('date:"Dec 2024"', {}),
    ("date:[2024-12-01 to 2024-12-15]", {}),
    ("Russian date:[to 2023-06-30]", {}),
    # names as people type them
    ("Kiev", {}),
    ("North Korea", {}),
    ("Torestk", {}),
    ("Kharkov", {}),
    ("Kiev", {"literal": True}),
    # plain questions (relaxed)
    ("what happened to north korean troops in kursk", {}),
    ("where did russian forces advance near pokrovsk", {}),
    # filters, exclusions, dates
    ("", {}),
    ("", {"filters": {"topic": ["Front line"]}}),
    ("Russian", {"filters": {"place": ["Pokrovsk", "Toretsk"]}}),
    ("Russian", {"filters": {"topic": ["Front line"], "place": ["Kursk Oblast"]}}),
    ("", {"filters": {"source": ["Institute for the Study of War"]}}),
    ("forces", {"filters": {"section": ["Key Takeaways"]}}),
    ("", {"filters": {"label": ["Assessed Russian advances"]}}),
    ("", {"filters": {"cited": ["t.me"]}}),
    ("", {"exclude": {"topic": ["Front line"]}}),
    ("Russian", {"exclude": {"place": ["Pokrovsk"]}, "filters": {"topic": ["Front line"]}}),
    ("drones", {"date_from": "2024-01-01", "date_to": "2024-12-31"}),
    ("", {"date_from": "2023-01-01"}),
    ("Russian", {"event_from": "2024-12-01", "event_to": "2024-12-31"}),
    # sorts, paging, collapse, grouping
    ("Russian", {"sort": "newest"}),
    ("Russian", {"sort": "oldest"}),
    ("", {"sort": "oldest", "page": 2}),
    ("forces", {"page": 2}),
    ("Russian", {"per_page": 25}),
    ("ISW", {"collapse": True}),
    ("", {"collapse": True}),
    ("Note ISW does not receive", {"collapse": True, "sort": "newest"}),
    ("", {"collapse": True, "filters": {"topic": ["Front line"]}}),
    ("Pokrovsk", {"group": "report"}),
    ("", {"group": "report", "sort": "newest"}),
]


def shape(page: dict) -> tuple:
    """The keys a client relies on: the page's, every hit's, every facet value's and every group's."""
    return (
        sorted(page),
        sorted({key for hit in page["hits"] for key in hit}),
        sorted({key for values in page["facets"].values() for value in values for key in value}),
        sorted({key for group in page.get("groups") or [] for key in group}),
        sorted(page["timeline"]),
    )


def compare_pages(whoosh: dict, cluster: dict) -> dict:
    """How one query's JSON pages from the two back ends agree.

    ``totals`` and ``facets`` must be equal (every facet's values, counts,
    selected and excluded flags, the timeline, the map); ``shape`` is the
    keys at every level; ``overlap`` is the share of the Whoosh page's hits
    also on the cluster's page (scores differ by design, so the order and
    which of several equal-scored hits make the cut may differ).  With a
    date order, ``dates`` says the hits' dates come in the same sequence.
    """
    facets = ("facets", "timeline", "map", "reports")
    ids_w = [hit["id"] for hit in whoosh["hits"]]
    ids_c = [hit["id"] for hit in cluster["hits"]]
    return {
        "totals": whoosh["total"] == cluster["total"] and whoosh.get("reports") == cluster.get("reports"),
        "facets": all(whoosh.get(name) == cluster.get(name) for name in facets),
        "shape": shape(whoosh) == shape(cluster) if ids_w and ids_c else sorted(whoosh) == sorted(cluster),
        "overlap": len(set(ids_w) & set(ids_c)) / len(ids_w) if ids_w else float(not ids_c),
        "dates": [h["date"] for h in whoosh["hits"]] == [h["date"] for h in cluster["hits"]],
        "relaxed": (whoosh["relaxed"], whoosh["all_words"]) == (cluster["relaxed"], cluster["all_words"]),
    }


__all__ = ["QUERIES", "compare_pages"]
