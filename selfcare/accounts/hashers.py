"""Password hashers: argon2id with our parameters, and verifiers for imported TRE-portal hashes.

The argon2id hasher is first in PASSWORD_HASHERS: every new password is hashed with it, and a
stored hash with other parameters or another algorithm is re-hashed with it at the next successful
login (Django's check_password calls the user's setter when the hasher says so).

The legacy hashers only *verify*. They read the formats the TRE heritage portal stored
(docs/legacy-accounts.md); they never create a hash, so an imported hash lives until the user's
next successful login and no longer.
"""

import hashlib

from django.contrib.auth.hashers import Argon2PasswordHasher, BasePasswordHasher, get_hasher, mask_hash
from django.utils.crypto import constant_time_compare, get_random_string
from django.utils.translation import gettext_noop as _

# bcrypt reads at most this many bytes of a password; the legacy portal silently cut longer ones.
BCRYPT_MAX_PASSWORD_BYTES = 72


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """argon2id with parameters measured on our machines (docs/decisions.md, bench/bench_argon2.py).

    The algorithm name stays "argon2", so hashes made with Django's defaults are still read and
    are re-hashed with these parameters at the next login (Argon2PasswordHasher.must_update).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1


class LegacyPasswordHasher(BasePasswordHasher):
    """A hasher that checks an imported hash and never makes a new one."""

    def salt(self):
        raise NotImplementedError("legacy hashes are verified, never created")

    def encode(self, password, salt):
        raise NotImplementedError("legacy hashes are verified, never created")

    def matches(self, password: str, encoded: str) -> bool:
        raise NotImplementedError("each legacy format checks its own hashes")

    def verify(self, password, encoded):
        if self.matches(password, encoded):
            return True
        # A wrong password costs the same as for an argon2 account, so the time of a failed login
        # does not tell which accounts still carry a legacy hash (DESIGN.md §8, no enumeration).
        get_hasher("default").encode(password, get_random_string(22))
        return False

    def must_update(self, encoded):
        return True

    def harden_runtime(self, password, encoded):
        pass


class LegacyBCryptPasswordHasher(LegacyPasswordHasher):
    """``legacy_bcrypt$<$2a$|$2b$|$2y$ modular-crypt hash>``, as PHP and most bcrypt libraries write it.

    Passwords longer than 72 bytes are cut there, as the legacy portal's bcrypt did (the bcrypt
    package refuses them instead of cutting, which would turn such a login into a server error).
    """

    algorithm = "legacy_bcrypt"
    library = ("bcrypt", "bcrypt")

    def decode(self, encoded):
        algorithm, data = encoded.split("$", 1)
        assert algorithm == self.algorithm
        _empty, variant, cost, rest = data.split("$", 3)
        return {
            "algorithm": algorithm,
            "variant": variant,
            "work_factor": int(cost),
            "salt": rest[:22],
            "hash": rest[22:],
        }

    def matches(self, password, encoded):
        bcrypt = self._load_library()
        data = self.decode(encoded)
        modular = f"${data['variant']}${data['work_factor']:02d}${data['salt']}{data['hash']}"
        try:
            return bcrypt.checkpw(password.encode()[:BCRYPT_MAX_PASSWORD_BYTES], modular.encode("ascii"))
        except ValueError:  # a malformed hash never matches
            return False

    def safe_summary(self, encoded):
        data = self.decode(encoded)
        return {
            _("algorithm"): data["algorithm"],
            _("work factor"): data["work_factor"],
            _("salt"): mask_hash(data["salt"]),
            _("checksum"): mask_hash(data["hash"]),
        }


class _HexDigestLegacyHasher(LegacyPasswordHasher):
    """``<algorithm>$<salt>$<hex digest of salt + password>``; the salt may be empty."""

    digest = None

    def decode(self, encoded):
        algorithm, salt, digest = encoded.split("$", 2)
        assert algorithm == self.algorithm
        return {"algorithm": algorithm, "salt": salt, "hash": digest}

    def matches(self, password, encoded):
        data = self.decode(encoded)
        computed = self.digest((data["salt"] + password).encode()).hexdigest()
        return constant_time_compare(computed, data["hash"].lower())

    def safe_summary(self, encoded):
        data = self.decode(encoded)
        return {
            _("algorithm"): data["algorithm"],
            _("salt"): mask_hash(data["salt"], show=2),
            _("hash"): mask_hash(data["hash"]),
        }


class LegacySHA1PasswordHasher(_HexDigestLegacyHasher):
    """``legacy_sha1$<salt>$<sha1(salt + password) in hex>`` (the old portal's salted SHA-1)."""

    algorithm = "legacy_sha1"
    digest = hashlib.sha1


class LegacyMD5PasswordHasher(_HexDigestLegacyHasher):
    """``legacy_md5$$<md5(password) in hex>`` (the oldest accounts: unsalted MD5)."""

    algorithm = "legacy_md5"
    digest = hashlib.md5
