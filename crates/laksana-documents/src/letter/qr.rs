//! The verification QR code: the public URL where anyone can check a signed document.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::error::DocumentError;

/// The QR code of `url` as an SVG image (black modules on white, with the quiet zone).
pub fn qr_svg(url: &str) -> Result<String, DocumentError> {
    // Level M survives a smudged print yet keeps the code small for a typical URL.
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| DocumentError::Qr(e.to_string()))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(160, 160)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_becomes_an_svg_image() {
        let svg = qr_svg("https://laksana.example.go.id/verifikasi/abc123").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"), "{svg}");
    }

    #[test]
    fn data_too_long_for_a_qr_code_is_an_error() {
        let err = qr_svg(&"x".repeat(5000)).unwrap_err();
        assert!(matches!(err, DocumentError::Qr(_)), "{err}");
    }
}
