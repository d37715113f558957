#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is the developer's tool: without an environment it runs with the demo defaults
    # (a per-checkout secret key). Production processes set DEMO=0 and their SECRET_KEY (Procfile).
    os.environ.setdefault("DEMO", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
