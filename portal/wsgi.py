import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

application = get_wsgi_application()

# Celery loads the broker's transport, the result backend and its own task machinery (several
# hundred modules) the first time a process queues a task. Load them as the web process
# starts instead, not in the first requests that queue mail. Nothing connects here: a broker
# that is down still does not stop the web process.
from portal.celery import app as celery_app  # noqa: E402

celery_app.finalize(auto=True)
celery_app.backend  # noqa: B018
with celery_app.connection_for_write() as broker:
    broker.transport  # noqa: B018
celery_app.amqp.producer_pool  # noqa: B018
