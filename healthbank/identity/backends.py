"""Loading the signed-in user with their account and person in one query, since every
portal request needs all three (the idle check, then whose records to show)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("account__person")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
