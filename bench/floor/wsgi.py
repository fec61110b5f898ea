import os

from django.core.wsgi import get_wsgi_application

# the floor always runs on its own settings, whatever the environment says
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor.settings"
application = get_wsgi_application()
