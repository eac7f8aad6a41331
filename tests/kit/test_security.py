"""Security helpers: password rules, argon2 hashes, field encryption, upload cleaning."""

from __future__ import annotations

import io

import pytest
from cryptography.exceptions import InvalidTag
from PIL import Image

from mercato.kit.errors import ValidationFailed
from mercato.kit.security import (
    FieldCipher,
    hash_password,
    hash_token,
    mask,
    new_token,
    password_problems,
    sign,
    verify_password,
)
from mercato.platform.files import clean_image

# ---- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["short", "password123", "aaaaaaaaaaaa", "qwertyuiop12"])
def test_weak_passwords_get_reasons_a_person_can_act_on(weak):
    problems = password_problems(weak)
    assert problems
    assert all(isinstance(p, str) and p for p in problems)


def test_a_password_made_of_the_users_own_details_is_weak():
    email = "ada.lovelace1815@example.com"
    assert password_problems(email) == []  # long and random-looking to a stranger…
    assert password_problems(email, [email, "Ada Lovelace"])  # …but not for this account


def test_a_long_unrelated_passphrase_is_fine():
    assert password_problems("Copper-Kettle-Meadow-77") == []


def test_overlong_passwords_are_refused_before_hashing():
    assert password_problems("x" * 201) == ["Use at most 200 characters."]


def test_hash_and_verify():
    hashed = hash_password("Copper-Kettle-Meadow-77")
    assert hashed.startswith("$argon2id$")
    assert "Copper" not in hashed
    assert verify_password(hashed, "Copper-Kettle-Meadow-77")
    assert not verify_password(hashed, "copper-kettle-meadow-77")
    assert hash_password("Copper-Kettle-Meadow-77") != hashed  # salted


def test_verify_without_an_account_or_with_garbage_is_false_not_an_error():
    assert verify_password(None, "anything") is False
    assert verify_password("not-a-hash", "anything") is False


# ---- tokens and signatures ------------------------------------------------------------------


def test_tokens_are_random_and_stored_only_as_hashes():
    a, b = new_token(), new_token()
    assert a != b and len(a) >= 40
    assert hash_token(a) == hash_token(a)
    assert hash_token(a) != hash_token(b)
    assert a not in hash_token(a)


def test_signatures_depend_on_secret_and_every_part():
    base = sign("secret", "store", "csrf", "seed")
    assert base == sign("secret", "store", "csrf", "seed")
    assert base != sign("other", "store", "csrf", "seed")
    assert base != sign("secret", "other-store", "csrf", "seed")
    # parts are separated, so moving a boundary changes the signature
    assert sign("secret", "ab", "c") != sign("secret", "a", "bc")


# ---- field encryption -----------------------------------------------------------------------


def test_field_cipher_round_trips_and_hides_the_value():
    cipher = FieldCipher("secret-one")
    sealed = cipher.encrypt("ABCDE1234F")
    assert "ABCDE1234F" not in sealed
    assert cipher.decrypt(sealed) == "ABCDE1234F"
    assert cipher.encrypt("ABCDE1234F") != sealed  # a fresh nonce every time


def test_field_cipher_detects_tampering():
    cipher = FieldCipher("secret-one")
    sealed = bytearray(cipher.encrypt("1234 5678 9012").encode())
    # Flip one character of the ciphertext (base64 keeps it decodable)
    index = len(sealed) // 2
    sealed[index] = ord("A") if sealed[index] != ord("A") else ord("B")
    with pytest.raises(InvalidTag):
        cipher.decrypt(sealed.decode())


def test_field_cipher_needs_the_same_key():
    sealed = FieldCipher("secret-one").encrypt("IBAN")
    with pytest.raises(InvalidTag):
        FieldCipher("secret-two").decrypt(sealed)


def test_mask_shows_only_the_last_digits():
    assert mask("123456789012") == "••••••••9012"
    assert mask("123") == "•••"


# ---- uploads ------------------------------------------------------------------------------


def jpeg_with_exif(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0131] = "secret-software"  # Software
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_clean_image_strips_exif_and_reports_size():
    raw = jpeg_with_exif()
    assert b"SpyCam" in raw
    cleaned = clean_image(raw, max_bytes=1024 * 1024)
    assert (cleaned.width, cleaned.height) == (64, 48)
    assert cleaned.content_type == "image/jpeg"
    assert b"SpyCam" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as reopened:
        assert not reopened.getexif()


def test_clean_image_keeps_transparency_as_png():
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG")
    cleaned = clean_image(out.getvalue(), max_bytes=1024 * 1024)
    assert cleaned.content_type == "image/png"


@pytest.mark.parametrize(
    "raw",
    [
        b"<?php system($_GET['c']); ?>",
        b"%PDF-1.7 not an image",
        b"GIF89a\x01\x00\x01\x00",  # truncated
    ],
)
def test_clean_image_rejects_non_images_with_a_field_error(raw):
    with pytest.raises(ValidationFailed) as refused:
        clean_image(raw, max_bytes=1024 * 1024, field="photo")
    assert refused.value.field == "photo"
    assert refused.value.status_code == 422


def test_clean_image_rejects_a_script_named_like_an_image():
    # The content decides, not the name or the declared type
    with pytest.raises(ValidationFailed):
        clean_image(b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", max_bytes=1024)


def test_clean_image_refuses_oversize_and_empty_files():
    raw = jpeg_with_exif()
    with pytest.raises(ValidationFailed) as too_big:
        clean_image(raw, max_bytes=len(raw) - 1)
    assert too_big.value.field == "file"
    with pytest.raises(ValidationFailed):
        clean_image(b"", max_bytes=1024)


def test_clean_image_refuses_gif_even_when_valid():
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "GIF")
    with pytest.raises(ValidationFailed):
        clean_image(out.getvalue(), max_bytes=1024 * 1024)
