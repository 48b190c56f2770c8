import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beheer.settings")
application = get_wsgi_application()

# What the started application holds (modules, settings, URL patterns) lives as long as the process.
# Frozen, it is out of the collector's reach: a full collection walks only what requests made since.
gc.collect()
gc.freeze()
