"""How a letter is signed: the signer's capacity (camat, a.n., Plh.) and the lines above the name."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from portal.accounts.enums import RoleCode
from portal.accounts.selectors import user_roles

from .enums import SignerCapacity


def capacity_for(user: Any, *, delegation: Any = None) -> SignerCapacity:
    """In what capacity `user` signs for the camat.

    `delegation` is the record of the delegation register naming `user` deputy on the signing date:
    its kind says a.n. (on the camat's behalf) or Plh. (acting camat); a record without a kind means
    Plh. Otherwise the camat signs as camat and anyone else signs on the camat's behalf (a.n.).
    """
    if delegation is not None:
        return SignerCapacity.ATAS_NAMA if getattr(delegation, "kind", "plh") == "an" else SignerCapacity.PLH
    if RoleCode.CAMAT in user_roles(user):
        return SignerCapacity.CAMAT
    return SignerCapacity.ATAS_NAMA


def signature_lines(
    capacity: SignerCapacity | str, *, office: dict[str, Any], position: str | None = None
) -> list[str]:
    """The title lines above the signer's name: ["Camat Babulu"], ["a.n. Camat Babulu",
    "Sekretaris Kecamatan"] or ["Plh. Camat Babulu"]. `position` is the signer's own post for a.n."""
    camat = office["camat_title"]
    capacity = SignerCapacity(capacity)
    if capacity == SignerCapacity.CAMAT:
        return [camat]
    if capacity == SignerCapacity.PLH:
        return [f"Plh. {camat}"]
    return [f"a.n. {camat}", position or office.get("deputy_title", "Sekretaris Kecamatan")]


def signer_position(user: Any) -> str | None:
    """The signer's own post printed under "a.n. Camat": a kasi's title; None is the default (sekcam)."""
    roles = user_roles(user)
    if RoleCode.KASI in roles and RoleCode.SEKCAM not in roles:
        return _("Kepala Seksi")
    return None


def signer_display_name(user: Any) -> str:
    return str(user.get_full_name()).strip() or str(user.get_username())
