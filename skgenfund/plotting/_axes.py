"""The one place the plotting helpers get matplotlib and an Axes from."""


def get_axes(ax=None, **subplot_kw):
    """Return ``ax``, or a fresh Axes on a new figure when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(subplot_kw=subplot_kw or None)
    return ax
