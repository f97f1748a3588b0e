"""What Pantau does, once, whichever door a request comes through.

The shape of the code is entry points → services → db/geo:

- entry points (``callbacks/`` for the Dash pages, ``api/`` for the JSON, Open311 and SMS
  routes, ``cli.py``) read their input, translate it into a service call and translate the
  answer back (a page message, a JSON status code, a line on the terminal);
- services (this package) decide: they check the input against the status machine
  (``db/status.py``) and the actor against the permissions (``services/permissions.py``), and run
  the change in one transaction;
- ``db/`` holds the SQL and the one writer of each table, ``geo/`` the geometry.

``services/actions.py``: every action on a complaint (``act``, ``act_many``) and what a page may
offer (``available_actions``).
"""
