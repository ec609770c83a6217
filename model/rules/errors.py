"""The error every rules function raises for a bad rule set, preset name or override."""

__all__ = ["RulesError"]


class RulesError(ValueError):
    """A rule set, preset name or override is invalid.

    The message names the field path (e.g. ``leadership.plp_threshold_vacancy``)
    and says what is allowed; it is meant to be shown to a user as it is.
    """
