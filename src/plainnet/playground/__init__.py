"""The playground: a page in the browser where plainnet trains a small network
while you watch (``plainnet playground``).

``settings`` (what the page can set, as a URL fragment), ``data`` (the points:
a built-in set or a CSV file's columns), ``model`` (the network and optimizer
a setup stands for), ``code`` (the same as Python code), ``drawing`` (what the
page draws, from a copy of the weights), ``run`` (one run, trained in short
``fit`` calls), ``session`` (the current run and the thread that trains it)
and ``server`` (the standard library's HTTP server, with the token and Host
checks). The page itself is ``static/``: HTML, CSS and plain JavaScript,
nothing fetched from elsewhere. ``import plainnet`` imports none of it.
"""
