"""How passwords are stored (docs/operations.md#passwords).

Argon2id, Django's first recommended hasher, with the first of OWASP's equivalent
parameter sets (Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1): about 30 ms a
check on one core here, against about 400 ms for Django's PBKDF2 at 1.5 million
iterations, and memory-hard where PBKDF2 is not. A password stored another way (PBKDF2,
or Argon2 with other parameters) is re-stored with these at its owner's next sign-in
(Django's `must_update`).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
