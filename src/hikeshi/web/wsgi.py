"""The WSGI application served by `hikeshi serve`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hikeshi.web.settings")
application = get_wsgi_application()
