"""Loading the signed-in user with their account and person in one query, since every
portal request needs all three (the idle check, then whose records to show)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend, UserModel


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        user = UserModel._default_manager.select_related("account__person").filter(pk=user_id)
        user = user.first()
        return user if user is not None and self.user_can_authenticate(user) else None
