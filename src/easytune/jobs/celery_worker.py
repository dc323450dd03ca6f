"""Entry module for `celery -A easytune.jobs.celery_worker worker`: the app from the settings.

Celery needs an app object at import; this module exists only for that, so importing the
rest of easytune never reads settings. `easytune worker --executor celery` does the same.
"""

from easytune.jobs.celery_app import make_celery_app
from easytune.settings import load_settings

app = make_celery_app(load_settings())
