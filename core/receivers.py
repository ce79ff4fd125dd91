"""Receivers core connects in `CoreConfig.ready()`."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from graphql_jwt.refresh_token.signals import refresh_token_rotated

from core import tokens
from core.bounds import check_bounds
from core.config import clear_module_config_cache
from core.models import ModuleConfiguration, User


@receiver(post_save, sender=ModuleConfiguration, dispatch_uid="core-config-saved")
@receiver(post_delete, sender=ModuleConfiguration, dispatch_uid="core-config-deleted")
def forget_module_config(sender, instance: ModuleConfiguration, **kwargs) -> None:
    clear_module_config_cache(instance.module, instance.layer)


@receiver(refresh_token_rotated, dispatch_uid="core-revoke-rotated-refresh-token")
def revoke_rotated_refresh_token(sender, request, refresh_token, **kwargs) -> None:
    """A refresh token is good for one refresh: a stolen copy used later is refused."""
    tokens.consume_rotated_refresh_token(request, refresh_token)


@receiver(pre_save, sender=User, dispatch_uid="core-user-credentials-changing")
def note_credential_change(sender, instance: User, raw: bool = False, update_fields=None,
                           **kwargs) -> None:
    if not raw:
        tokens.note_credential_change(instance, update_fields)


@receiver(post_save, sender=User, dispatch_uid="core-user-credentials-changed")
def revoke_after_credential_change(sender, instance: User, **kwargs) -> None:
    """Password changed or user deactivated, by any path that saves the user (admin site,
    set_password, changePassword): every refresh token of theirs stops working."""
    tokens.revoke_after_credential_change(instance)


@receiver(pre_save, dispatch_uid="core-check-column-bounds")
def refuse_values_out_of_bounds(sender, instance, raw: bool = False, update_fields=None,
                                **kwargs) -> None:
    """No row is saved with a value its column cannot hold (see `core.bounds`): the save raises
    a `ValidationError` naming the field, which a mutation answers in its error list."""
    check_bounds(instance, fields=update_fields)
