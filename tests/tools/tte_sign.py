#!/usr/bin/env python3
"""Signs a PDF the way a TTE application does: an incremental update holding a PAdES signature
dictionary, with a certificate made on the spot (a stand-in for a BSrE certificate).

    tte_sign.py IN.pdf OUT.pdf

Used by tests/tte_upload.rs; needs pyHanko (and cryptography, which it brings)."""
import datetime
import sys
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers


def self_made_certificate(folder: Path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Uji TTE Laksana")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def main(src: str, dst: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        key_file, cert_file = self_made_certificate(Path(tmp))
        signer = signers.SimpleSigner.load(str(key_file), str(cert_file), key_passphrase=None)
        with open(src, "rb") as inp:
            writer = IncrementalPdfFileWriter(inp)
            with open(dst, "wb") as out:
                signers.sign_pdf(
                    writer,
                    signers.PdfSignatureMetadata(field_name="TTE"),
                    signer=signer,
                    output=out,
                )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
