"""Receivers core connects in `CoreConfig.ready()`."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.config import clear_module_config_cache
from core.models import ModuleConfiguration


@receiver(post_save, sender=ModuleConfiguration, dispatch_uid="core-config-saved")
@receiver(post_delete, sender=ModuleConfiguration, dispatch_uid="core-config-deleted")
def forget_module_config(sender, instance: ModuleConfiguration, **kwargs) -> None:
    clear_module_config_cache(instance.module, instance.layer)
