//! Content hashes for determinism evidence: rules-version content hashes, template digests,
//! planner input hashes and plan hashes.
//!
//! Every hash is SHA-256 (lowercase hex) over `"<format tag>\n"` followed by the compact
//! JSON of a value whose serialised form is canonical by construction: plain structs
//! (fields in declaration order), vectors in a documented order, enums as fixed strings, no
//! maps with unspecified iteration order and no floats. The format tag separates the hash
//! domains and is bumped whenever the shape of a hashed value changes, so an old stored
//! hash can never be mistaken for a new one.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// SHA-256 (hex) of `tag` and the canonical JSON of `value`.
pub fn hash_json<T: Serialize>(tag: &str, value: &T) -> String {
    let mut hasher = Sha256::new();
    hasher.update(tag.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical_json(value));
    hex::encode(hasher.finalize())
}

/// Compact JSON bytes of a value built from canonical parts (see the module doc).
pub fn canonical_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain data (strings, integers, enums, structs, vectors) cannot fail; a
    // failure here would be a programming error in a hashed type, not bad input.
    serde_json::to_vec(value).expect("hashed values are plain data")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_separate_hash_domains() {
        assert_eq!(hash_json("a", &1), hash_json("a", &1));
        assert_ne!(hash_json("a", &1), hash_json("b", &1));
        assert_eq!(hash_json("a", &"x").len(), 64);
    }
}
