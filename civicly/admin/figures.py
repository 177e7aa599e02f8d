"""A Dashboard's numbers as charts and table rows, with labels in the reader's language."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import format_date, format_percent, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from civicly import areas, charts
from civicly.triage.dashboard import NO_AREA, UNROUTED, Dashboard

MAX_SERIES = 7  # ministries drawn separately in the weekly chart; the rest are summed as "other"


@dataclass
class Figure:
    """One chart and the same numbers as a table (header row, then rows)."""

    key: str
    title: str
    chart: Markup
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    empty: bool = False


def age_labels() -> list[str]:
    """One label per AGE_BUCKETS entry."""
    return [_("under 2 days"), _("2 to 7 days"), _("7 to 30 days"), _("over 30 days")]


def route_labels() -> dict[str, str]:
    return {"model": _("by the model"), "sender": _("chosen by the sender"), "officer": _("by an officer"),
            "waiting": _("waiting for triage")}


def _ministry(code: str) -> str:
    return _("Not routed: manual triage") if code == UNROUTED else code


def _hours(value: float) -> str:
    return _("%(n)s h", n=f"{value:.0f}") if value < 48 else _("%(n)s days", n=f"{value / 24:.1f}")


def figures(board: Dashboard) -> list[Figure]:
    return [_weekly(board), _backlog(board), _compliance(board), _first_response(board), _routing(board),
            _accuracy(board, "accuracy-version", _("Model accuracy by model version"), board.accuracy_by_version,
                      _("Model version")),
            _accuracy(board, "accuracy-language", _("Model accuracy by language"), board.accuracy_by_language,
                      _("Language")),
            _auto_routing(board),
            _topics(board), _areas(board), _satisfaction(board)]


def _weekly(board: Dashboard) -> Figure:
    weeks = [format_date(week, "d MMM") for week in board.weeks]
    items = [(_ministry(code), values) for code, values in board.submissions.items()]
    series = items[:MAX_SERIES]
    if len(items) > MAX_SERIES:
        series.append((_("other"), [sum(v[i] for _k, v in items[MAX_SERIES:]) for i in range(len(weeks))]))
    title = _("Submissions per week, by ministry")
    chart = charts.stacked_columns("weekly", title, _("Stacked columns: one per week, one colour per ministry."),
                                   weeks, series)
    rows = [[name, *map(str, values), str(sum(values))] for name, values in series]
    return Figure("weekly", title, chart, [_("Ministry"), *weeks, _("Total")], rows, empty=not board.total_cases)


def _backlog(board: Dashboard) -> Figure:
    labels = age_labels()
    title = _("Open backlog by age")
    rows = [(_ministry(code), values) for code, values in board.backlog.items()]
    chart = charts.horizontal_bars("backlog", title, _("Open cases per ministry, split by how long they have waited."),
                                   rows, series=labels)
    table = [[name, *map(str, values), str(sum(values))] for name, values in rows]
    return Figure("backlog", title, chart, [_("Ministry"), *labels, _("Total")], table, empty=not rows)


def _compliance(board: Dashboard) -> Figure:
    labels = [_("closed in time"), _("closed late"), _("open, overdue"), _("open, in time")]
    title = _("Deadline compliance")
    rows = [(c.ministry, [c.on_time, c.late, c.overdue, c.in_time]) for c in board.compliance]
    rates = {c.ministry: c.rate for c in board.compliance}
    chart = charts.horizontal_bars(
        "compliance", title, _("Cases received in the period with a deadline, per ministry; the share closed in time."),
        rows, series=labels,
        label=lambda values: format_percent(values[0] / (values[0] + values[1])) if values[0] + values[1] else "—")
    table = [[name, *map(str, values), format_percent(rates[name]) if rates[name] is not None else "—"]
             for name, values in rows]
    return Figure("compliance", title, chart, [_("Ministry"), *labels, _("Closed in time")], table, empty=not rows)


def _first_response(board: Dashboard) -> Figure:
    title = _("Median time to first response")
    rows = [(name, [hours]) for name, (hours, _n) in board.first_response_hours.items()]
    chart = charts.horizontal_bars("first-response", title,
                                   _("Median time from reception to an officer's first public answer, per ministry."),
                                   rows, label=lambda values: _hours(values[0]))
    table = [[name, _hours(hours), str(n)] for name, (hours, n) in board.first_response_hours.items()]
    return Figure("first-response", title, chart, [_("Ministry"), _("Median"), _("Cases answered")], table,
                  empty=not rows)


def _routing(board: Dashboard) -> Figure:
    names = route_labels()
    total = sum(board.routing.values()) or 1
    title = _("How cases reached their ministry")
    rows = [(names[key], [count]) for key, count in board.routing.items()]
    chart = charts.horizontal_bars("routing", title, _("Cases received in the period, by who routed them."), rows,
                                   label=lambda values: f"{values[0]:.0f} ({format_percent(values[0] / total)})")
    table = [[name, str(values[0]), format_percent(values[0] / total)] for name, values in rows]
    return Figure("routing", title, chart, [_("Routed"), _("Cases"), _("Share")], table, empty=not board.total_cases)


def _accuracy(board: Dashboard, key: str, title: str, items, column: str) -> Figure:
    rows = [(item.key, [item.rate * 100]) for item in items]
    totals = {item.key: item for item in items}
    chart = charts.horizontal_bars(
        key, title, _("Share of reviewed cases where the model's ministry was the officers' final choice."), rows,
        maximum=100, label=lambda values: f"{values[0]:.0f} %")
    table = [[item.key, str(item.correct), str(item.total), format_percent(item.rate)] for item in totals.values()]
    return Figure(key, title, chart, [column, _("Right"), _("Reviewed"), _("Accuracy")], table, empty=not rows)


def _auto_routing(board: Dashboard) -> Figure:
    title = _("Routed by the model itself, by language and model version")
    rows = [(f"{item.language} · {item.version}", [item.share * 100]) for item in board.auto_routing]
    chart = charts.horizontal_bars(
        "auto-routing", title,
        _("Share of the cases received that the model routed without an officer; the table says how often officers "
          "who reviewed them kept the model's ministry."), rows, maximum=100, label=lambda values: f"{values[0]:.0f} %")
    table = [[item.language, item.version, str(item.cases), str(item.auto_routed), format_percent(item.share),
              str(item.reviewed), format_percent(item.accuracy) if item.accuracy is not None else "—"]
             for item in board.auto_routing]
    return Figure("auto-routing", title, chart, [_("Language"), _("Model version"), _("Cases"), _("Routed by itself"),
                                                 _("Share"), _("Reviewed"), _("Accuracy")], table, empty=not rows)


def _topics(board: Dashboard) -> Figure:
    title = _("Top recurring problems")
    rows = [(f"{'⚠ ' if t.surge else ''}{t.preview}{f' ({t.place})' if t.place else ''}", [t.reports])
            for t in board.topics]
    chart = charts.horizontal_bars("topics", title,
                                   _("The largest groups of similar reports received in the period (⚠: a surge)."),
                                   rows)
    table = [[t.preview, t.place or "—", t.ministry, str(t.reports), _("yes") if t.surge else _("no")]
             for t in board.topics]
    return Figure("topics", title, chart, [_("Problem"), _("Place"), _("Ministry"), _("Reports"), _("Surge")], table,
                  empty=not rows)


def _areas(board: Dashboard) -> Figure:
    labels = [_("open, overdue"), _("open, in time"), _("closed")]
    locale = str(get_locale())
    rows = [(areas.area_name(a.area_code, locale) if a.area_code != NO_AREA else _("Area not known"),
             [a.overdue, a.open_in_time, a.closed]) for a in board.areas]
    title = _("Cases per area")
    chart = charts.horizontal_bars("areas", title,
                                   _("Cases received in the period per region or county, by where they stand now."),
                                   rows, series=labels)
    table = [[name, *map(str, values), str(sum(values))] for name, values in rows]
    return Figure("areas", title, chart, [_("Area"), *labels, _("Total")], table, empty=not rows)


def _satisfaction(board: Dashboard) -> Figure:
    title = _("Was the concern answered? (citizens' answers)")
    rows = [(_("yes"), [board.satisfied]), (_("no"), [board.unsatisfied])]
    chart = charts.horizontal_bars("satisfaction", title, _("Answers to the question asked after closure."), rows)
    rate = board.satisfaction_rate
    table = [[_("yes"), str(board.satisfied)], [_("no"), str(board.unsatisfied)],
             [_("Rate"), format_percent(rate) if rate is not None else "—"]]
    return Figure("satisfaction", title, chart, [_("Answer"), _("Citizens")], table,
                  empty=not (board.satisfied or board.unsatisfied))
