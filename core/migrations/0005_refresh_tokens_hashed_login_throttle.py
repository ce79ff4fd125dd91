"""Refresh tokens move to `core.RefreshToken`, stored as SHA-256 hashes; the login throttle's
counter table.

Live tokens of the library's table are carried over hashed (sessions survive the upgrade); then
that table is emptied, so no raw refresh token is left in the database."""

import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def hash_legacy_refresh_tokens(apps, schema_editor):
    legacy_tokens = apps.get_model("refresh_token", "RefreshToken")
    hashed_tokens = apps.get_model("core", "RefreshToken")
    for legacy in legacy_tokens.objects.filter(revoked__isnull=True).iterator():
        row = hashed_tokens.objects.create(
            user_id=legacy.user_id, token_hash=hashlib.sha256(legacy.token.encode()).hexdigest()
        )
        # `created` is set on insert (auto_now_add); the token keeps its own age.
        hashed_tokens.objects.filter(pk=row.pk).update(created=legacy.created)
    legacy_tokens.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_user_districts_officer_address'),
        ('refresh_token', '0002_auto_20190130_0900'),
    ]

    operations = [
        migrations.CreateModel(
            name='LoginThrottleEntry',
            fields=[
                ('cache_key', models.CharField(max_length=255, primary_key=True, serialize=False)),
                ('value', models.TextField()),
                ('expires', models.DateTimeField(db_index=True)),
            ],
            options={
                'db_table': 'core_login_throttle',
            },
        ),
        migrations.CreateModel(
            name='RefreshToken',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('revoked', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='jwt_refresh_tokens', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'refresh token',
                'verbose_name_plural': 'refresh tokens',
            },
        ),
        migrations.RunPython(hash_legacy_refresh_tokens, migrations.RunPython.noop),
    ]
