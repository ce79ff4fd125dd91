"""Receivers core connects in `CoreConfig.ready()`."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from graphql_jwt.refresh_token.signals import refresh_token_rotated

from core.bounds import check_bounds
from core.config import clear_module_config_cache
from core.models import ModuleConfiguration


@receiver(post_save, sender=ModuleConfiguration, dispatch_uid="core-config-saved")
@receiver(post_delete, sender=ModuleConfiguration, dispatch_uid="core-config-deleted")
def forget_module_config(sender, instance: ModuleConfiguration, **kwargs) -> None:
    clear_module_config_cache(instance.module, instance.layer)


@receiver(refresh_token_rotated, dispatch_uid="core-revoke-rotated-refresh-token")
def revoke_rotated_refresh_token(sender, request, refresh_token, **kwargs) -> None:
    """A refresh token is good for one refresh: a stolen copy used later is refused."""
    refresh_token.revoke(request)


@receiver(pre_save, dispatch_uid="core-check-column-bounds")
def refuse_values_out_of_bounds(sender, instance, raw: bool = False, update_fields=None,
                                **kwargs) -> None:
    """No row is saved with a value its column cannot hold (see `core.bounds`): the save raises
    a `ValidationError` naming the field, which a mutation answers in its error list."""
    check_bounds(instance, fields=update_fields)
