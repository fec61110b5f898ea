"""Staff workspace views, one module per area (auth, returns, receive, …).

Each view parses, authorizes (``retour.backoffice.access.staff_view``), calls a service or a
selector, and renders; the rules live in the domain apps. A new area adds a module here and
its paths in ``retour/backoffice/urls.py``.
"""
