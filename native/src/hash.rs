//! Content hashing: blake3, hex-encoded, the identity of every blob PyAgent stores.

pub fn blake3_hex(data: &[u8]) -> String {
    blake3::hash(data).to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_matches_the_reference_vector() {
        assert_eq!(
            blake3_hex(b""),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
    }

    #[test]
    fn differs_by_one_byte() {
        assert_ne!(blake3_hex(b"a"), blake3_hex(b"b"));
    }
}
