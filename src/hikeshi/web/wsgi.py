"""The WSGI application served by `hikeshi serve`."""

import os

from django.core.wsgi import get_wsgi_application

from hikeshi.web.head import without_head_bodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hikeshi.web.settings")
application = without_head_bodies(get_wsgi_application())
