"""KYC details of an agent: format checks (Indian PAN, Aadhaar, IFSC, bank account) and the
encryption at rest (AES-GCM via kit.security.FieldCipher, keyed from the app secret).

Everything outside the audited admin KYC view shows only the masked hints computed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mercato.kit.errors import ValidationFailed
from mercato.kit.security import FieldCipher, mask

PAN = re.compile(r"[A-Z]{3}[ABCFGHLJPT][A-Z][0-9]{4}[A-Z]")  # 4th letter: holder type
AADHAAR = re.compile(r"[2-9][0-9]{11}")
IFSC = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")
ACCOUNT = re.compile(r"[0-9]{9,18}")

# Verhoeff tables: Aadhaar numbers end with a Verhoeff check digit (UIDAI), which catches
# every single-digit typo and every swap of neighbouring digits.
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]


def verhoeff_valid(digits: str) -> bool:
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][int(ch)]]
    return check == 0


def verhoeff_digit(digits: str) -> str:
    """The check digit to append to ``digits`` (used by the seed to make valid numbers)."""
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[check])


@dataclass(frozen=True)
class Kyc:
    pan: str
    aadhaar: str
    bank_name: str
    account_number: str
    ifsc: str


def _squash(value: object) -> str:
    return re.sub(r"[\s-]", "", str(value or "")).upper()


def clean(
    *, pan: object, aadhaar: object, bank_name: object, account_number: object, ifsc: object
) -> Kyc:
    """Normalise and check every field; raises ValidationFailed naming the first bad field."""
    p, a, acc, code = _squash(pan), _squash(aadhaar), _squash(account_number), _squash(ifsc)
    bank = " ".join(str(bank_name or "").split())
    if not PAN.fullmatch(p):
        raise ValidationFailed("A PAN is 10 characters like ABCPE1234F.", field="pan")
    if not AADHAAR.fullmatch(a) or not verhoeff_valid(a):
        raise ValidationFailed(
            "An Aadhaar number is 12 digits and this one does not check out.", field="aadhaar"
        )
    if not 2 <= len(bank) <= 120:
        raise ValidationFailed("Give the bank's name.", field="bank_name")
    if not ACCOUNT.fullmatch(acc):
        raise ValidationFailed("An account number is 9 to 18 digits.", field="account_number")
    if not IFSC.fullmatch(code):
        raise ValidationFailed(
            "An IFSC is 11 characters: 4 letters, a zero, then 6 letters or digits.", field="ifsc"
        )
    return Kyc(pan=p, aadhaar=a, bank_name=bank, account_number=acc, ifsc=code)


def hints(kyc: Kyc) -> dict[str, str]:
    """The masked forms stored next to the ciphertext."""
    return {
        "pan_hint": mask(kyc.pan, 2),
        "aadhaar_hint": "XXXX XXXX " + kyc.aadhaar[-4:],
        "account_hint": mask(kyc.account_number, 4),
        "ifsc_hint": kyc.ifsc[:4] + "•••••••",  # the bank part of an IFSC is public
    }


def sealed(cipher: FieldCipher, kyc: Kyc) -> dict[str, str]:
    """Column values for an Agent row: ciphertext plus hints."""
    return {
        "pan_cipher": cipher.encrypt(kyc.pan),
        "aadhaar_cipher": cipher.encrypt(kyc.aadhaar),
        "bank_name_cipher": cipher.encrypt(kyc.bank_name),
        "account_cipher": cipher.encrypt(kyc.account_number),
        "ifsc_cipher": cipher.encrypt(kyc.ifsc),
        **hints(kyc),
    }


def opened(cipher: FieldCipher, agent) -> Kyc:  # noqa: ANN001 - an models.Agent
    """Decrypt an agent's KYC: only for the audited admin view and payout snapshots."""
    return Kyc(
        pan=cipher.decrypt(agent.pan_cipher),
        aadhaar=cipher.decrypt(agent.aadhaar_cipher),
        bank_name=cipher.decrypt(agent.bank_name_cipher),
        account_number=cipher.decrypt(agent.account_cipher),
        ifsc=cipher.decrypt(agent.ifsc_cipher),
    )
