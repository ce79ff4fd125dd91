"""The project's assembly. The Celery app is loaded with Django (as Celery's Django guide has it)
so that `@shared_task` tasks bind to it in every process, web and worker alike."""

from config.celery import app as celery_app

__all__ = ("celery_app",)
