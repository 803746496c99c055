"""Argon2 with small parameters, for the test suite only (settings.TESTING).

Production hashes with Django's Argon2 defaults (about 0.4 s and 100 MiB a hash on a
2-core machine); tests create hundreds of passwords and only need the same algorithm.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024  # KiB
    parallelism = 1
