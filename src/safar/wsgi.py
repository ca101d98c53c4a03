"""WSGI entry point for gunicorn and other servers: `gunicorn safar.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safar.settings")
application = get_wsgi_application()
