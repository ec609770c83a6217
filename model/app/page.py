"""The web page: a Mesa SolaraViz view of the party, month by month.

Start it with `factions viz` (or `solara run model/app/page.py`). The sidebar
holds Mesa's Step / Play / Reset controls and the model parameters (a
scenario file, a rules preset, the scale and a few behavioural multipliers);
Reset rebuilds the model from them. The main area has four panels
(`model.app.panels`): members' ideology against the PLP's, the CLP control
map, time series, and the month, rules and event feed (`model.app.feed`).
Mesa's "Render Interval" slider sets how many months one Step (or one Play
tick) runs between redraws.

The values of the sidebar are checked on the server before use
(`model.app.viz_model.check_inputs`). Anything that goes wrong while the
page handles a click (a refused value, a scenario that fails to load, a bug)
is shown as one short line above the panels; the traceback, which names files
on the server, goes to the server's log only.
"""

from __future__ import annotations

import logging

import solara
from mesa.visualization import SolaraViz

from model.app.panels import ClpMapPanel, IdeologyPanel, SeriesPanel, StatusAndEventsPanel
from model.app.viz_model import PageError, PageInputError, VizPartyModel, make_model_params

log = logging.getLogger(__name__)

COMPONENTS = [IdeologyPanel, ClpMapPanel, SeriesPanel, StatusAndEventsPanel]

model_params = make_model_params()
TITLE = "Labour factions: members, MPs and CLPs"


def error_message(error: BaseException) -> str:
    """What the page says about an error: a refusal's own short message, else a generic line.

    Other errors' messages are not shown: they can hold server paths (a
    scenario file's, a module's) and say little to a visitor.
    """
    if isinstance(error, PageInputError):
        return f"Refused: {error} The model in use is unchanged."
    if isinstance(error, PageError):
        return str(error)
    return f"Something went wrong ({type(error).__name__}); the details are in the server's log."


def log_error(error: BaseException | None) -> None:
    """Put an error the page caught into the server's log (a refusal on one line)."""
    if error is None:
        return
    if isinstance(error, PageInputError):
        log.warning("refused a value from the page: %s", error)
    elif isinstance(error, PageError):  # its cause was logged in full where it was raised
        log.warning("%s", error)
    else:
        log.error("error on the page", exc_info=(type(error), error, error.__traceback__))


@solara.component
def ErrorView(error: BaseException, on_back):
    """The page after an error: one short line and a way back (no traceback, no paths)."""
    with solara.Column(classes=["page-error"], style={"padding": "24px", "max-width": "720px"}):
        solara.Error(error_message(error))
        solara.Button("Back to the page", on_click=on_back, color="primary")


session_model = solara.create_context(None)
"""The browser session's model, a reactive variable that Layout makes and Page reads."""


@solara.component
def Layout(children=[]):  # noqa: B006 (Solara's signature for a layout)
    """Solara's usual layout, inside the page's error boundary.

    Solara uses a module's `Layout` around its `Page`. An exception raised
    while handling a click anywhere on the page (Mesa's Reset building a model
    from a refused value, say) lands here instead of in Solara's default error
    view, which would replace the page with a traceback naming server files.
    The page then shows one short line and a button back; the full error goes
    to the server's log. This has to sit above `solara.AppLayout`: Mesa's
    sidebar (its Reset button) is rendered there, not inside Page.

    The session's model is made here, not at import (the server imports this
    file once: a module-level model would be shared by every tab and user),
    and not in Page, so that it outlives the page being shown again after an
    error: the model in use is left as it was (Mesa's sidebar starts again
    from its defaults). Mesa's Reset replaces it through the reactive variable.
    """
    first = solara.use_memo(VizPartyModel, [])
    model = solara.use_reactive(first)
    error, clear = solara.use_exception()
    solara.use_effect(lambda: log_error(error), [error])
    session_model.provide(model)
    if error is not None:
        # The page is not rendered meanwhile: reacton re-raises a caught
        # exception while the component that raised it is still there.
        ErrorView(error, clear)
    else:
        solara.AppLayout(children=children)


@solara.component
def Page():
    """The page: Mesa's SolaraViz around the session's model (see Layout)."""
    shared = solara.use_context(session_model)
    # Rendered without Layout (embedded elsewhere, say): a model of its own.
    own = solara.use_memo(
        lambda: None if shared is not None else solara.reactive(VizPartyModel()), []
    )
    model = shared if shared is not None else own
    SolaraViz(model, components=COMPONENTS, model_params=model_params, name=TITLE)


page = Page()  # what `solara run model/app/page.py` serves
