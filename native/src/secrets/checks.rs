//! What a regex cannot say about a candidate: a provider's checksum, a token's structure, and
//! whether a name-and-value match is really code.

use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;

/// A check that a rule's candidate must pass to be reported.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Check {
    /// GitHub's and npm's token formats end in a base62 CRC32 of the random part.
    Crc32Suffix,
    /// A JWT's header is a JSON object naming its algorithm.
    JwtHeader,
    /// A PEM private key has a base64 body, not prose between its markers.
    PemBody,
}

impl Check {
    pub fn for_rule(id: &str) -> Option<Check> {
        match id {
            "github-pat" | "github-oauth" | "github-app-token" | "github-refresh-token" | "npm-access-token" => {
                Some(Check::Crc32Suffix)
            }
            "jwt" => Some(Check::JwtHeader),
            "private-key" => Some(Check::PemBody),
            _ => None,
        }
    }

    pub fn passes(self, secret: &[u8]) -> bool {
        match self {
            Check::Crc32Suffix => crc32_suffix_valid(secret),
            Check::JwtHeader => jwt_header_valid(secret),
            Check::PemBody => pem_body_present(secret),
        }
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `ghp_` + 30 random base62 characters + 6 characters of base62 CRC32 of those 30.
fn crc32_suffix_valid(token: &[u8]) -> bool {
    let Some(underscore) = token.iter().position(|&byte| byte == b'_') else { return false };
    let body = &token[underscore + 1..];
    if body.len() != 36 {
        return false;
    }
    let (random, suffix) = body.split_at(30);
    let mut expected = u64::from(crc32fast::hash(random));
    let mut encoded = [b'0'; 6];
    for slot in encoded.iter_mut().rev() {
        *slot = BASE62[(expected % 62) as usize];
        expected /= 62;
    }
    encoded == suffix
}

fn jwt_header_valid(token: &[u8]) -> bool {
    let header = token.split(|&byte| byte == b'.').next().unwrap_or_default();
    let trimmed: Vec<u8> = header.iter().copied().take_while(|&byte| byte != b'=').collect();
    let Some(decoded) = URL_SAFE_NO_PAD.decode(&trimmed).ok().or_else(|| STANDARD_NO_PAD.decode(&trimmed).ok()) else {
        return false;
    };
    match serde_json::from_slice::<serde_json::Value>(&decoded) {
        Ok(serde_json::Value::Object(fields)) => fields.get("alg").is_some_and(serde_json::Value::is_string),
        _ => false,
    }
}

/// A line of 40 or more base64 characters somewhere between the markers: every real key has
/// several; a docstring that names both markers has none.
fn pem_body_present(pem: &[u8]) -> bool {
    pem.split(|&byte| byte == b'\n').any(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = line.trim_ascii();
        line.len() >= 40 && line.iter().all(|&byte| byte.is_ascii_alphanumeric() || b"+/=".contains(&byte))
    }) || {
        // A key squeezed onto one line (`\n` escapes in JSON or an env var).
        let flat: Vec<u8> = pem.iter().copied().filter(|&byte| byte != b'\\').collect();
        flat.windows(64).any(|window| window.iter().all(|&byte| byte.is_ascii_alphanumeric() || b"+/=".contains(&byte)))
    }
}

/// Values a generic name-and-value rule meets in ordinary code: `this.tokenize`, `getPassword`,
/// `SOME_SETTING`, `prod/db/password`, `my-secret-name`, a UUID. Provider formats never pass
/// through here; a value with a digit that is no expression still counts as a secret.
/// `quoted` values are string literals: a bare word in quotes is a password, not a name.
/// `name` is what the match holds before the value: a comparison (`auth == 'v4-body'`) assigns
/// nothing, and a name that labels a digest or a public key (`sha256:`, `GPG key:`) holds no secret.
pub fn looks_like_code(value: &[u8], quoted: bool, name: &[u8]) -> bool {
    let Ok(value) = std::str::from_utf8(value) else { return false };
    let comparison = memchr::memmem::find(name, b"==").is_some() || memchr::memmem::find(name, b"!=").is_some();
    comparison
        || labels_no_secret(name)
        || (!quoted && is_expression(value))
        || is_path(value)
        || is_word_list(value)
        || is_wordy(value)
        || is_uuid(value)
        || is_placeholder(value)
}

const PUBLIC_LABELS: [&str; 11] = ["sha1", "sha256", "sha384", "sha512", "md5", "digest", "checksum", "fingerprint", "integrity", "public", "gpg"];
const SECRET_LABELS: [&str; 4] = ["hmac", "secret", "passw", "private"];

fn labels_no_secret(name: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
    PUBLIC_LABELS.iter().any(|label| lower.contains(label)) && !SECRET_LABELS.iter().any(|label| lower.contains(label))
}

/// Made of words, as names are (`Ec2SubnetIds`, `Europe/Dublin`, `Ipv6CidrAssociations`): split at
/// case changes, digits and separators, every chunk of two or more letters has a vowel, at most
/// one letter stands alone and at most three digits appear. Random values fail all three.
fn is_wordy(value: &str) -> bool {
    if !value.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"_./:-".contains(&byte)) {
        return false;
    }
    let bytes = value.as_bytes();
    let (mut lone_letters, mut words, mut digits) = (0, 0, 0);
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte.is_ascii_digit() {
            digits += 1;
            index += 1;
            continue;
        }
        if !byte.is_ascii_alphabetic() {
            index += 1;
            continue;
        }
        let start = index;
        index += 1;
        if byte.is_ascii_uppercase() && index < bytes.len() && bytes[index].is_ascii_uppercase() {
            // An acronym: upper-case letters up to the next word's capital.
            while index < bytes.len() && bytes[index].is_ascii_uppercase() && !(index + 1 < bytes.len() && bytes[index + 1].is_ascii_lowercase()) {
                index += 1;
            }
        } else {
            while index < bytes.len() && bytes[index].is_ascii_lowercase() {
                index += 1;
            }
        }
        let chunk = &bytes[start..index];
        if chunk.len() == 1 {
            lone_letters += 1;
        } else if chunk.iter().any(|byte| b"aeiouyAEIOUY".contains(byte)) || chunk.iter().all(u8::is_ascii_uppercase) {
            words += 1;
        } else {
            return false;
        }
    }
    words >= 2 && lone_letters <= 1 && digits <= 3
}

fn is_identifier(part: &str) -> bool {
    let mut chars = part.chars();
    chars.next().is_some_and(|first| first.is_ascii_alphabetic() || first == '_' || first == '$')
        && chars.all(|char| char.is_ascii_alphanumeric() || char == '_' || char == '$')
}

/// A name or member access (`a.b.c`), taken for code when it has a dot or no digit.
fn is_expression(value: &str) -> bool {
    value.split('.').all(is_identifier) && (value.contains('.') || !value.bytes().any(|byte| byte.is_ascii_digit()))
}

/// A lower-case path of two or more segments: it names where a secret lives, it is not one.
fn is_path(value: &str) -> bool {
    let segments: Vec<&str> = value.trim_start_matches('/').split('/').collect();
    segments.len() >= 2
        && segments.iter().all(|segment| {
            !segment.is_empty()
                && segment.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || b"_.-".contains(&byte))
        })
}

/// Two or more words joined by `-`, `_` or `.` (`my-secret-name`, `Content-Type`, `v4-unsigned-body`):
/// each word letters, or lower-case letters ending in at most two digits.
fn is_word_list(value: &str) -> bool {
    let is_word = |word: &str| {
        let letters = word.trim_end_matches(|char: char| char.is_ascii_digit());
        !letters.is_empty()
            && (word.bytes().all(|byte| byte.is_ascii_alphabetic())
                || (word.len() - letters.len() <= 2 && letters.bytes().all(|byte| byte.is_ascii_lowercase())))
    };
    let words: Vec<&str> = value.split(['-', '_', '.']).collect();
    words.len() >= 2 && words.iter().all(|word| is_word(word))
}

fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| group.len() == length && group.bytes().all(|byte| byte.is_ascii_hexdigit()))
}

/// Stand-ins for a secret that gitleaks's global allowlist does not cover.
fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    ["changeme", "redacted", "example", "placeholder", "your_", "your-", "dummy", "xxxxx", "..."].iter().any(|word| lower.contains(word))
        || lower.starts_with("process.env")
        || lower.starts_with("os.environ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github_token(prefix: &str, random: &str) -> String {
        let mut checksum = u64::from(crc32fast::hash(random.as_bytes()));
        let mut suffix = [b'0'; 6];
        for slot in suffix.iter_mut().rev() {
            *slot = BASE62[(checksum % 62) as usize];
            checksum /= 62;
        }
        format!("{prefix}_{random}{}", std::str::from_utf8(&suffix).unwrap())
    }

    #[test]
    fn a_github_token_passes_only_with_its_checksum() {
        let token = github_token("ghp", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1");
        assert!(Check::Crc32Suffix.passes(token.as_bytes()));
        let mut tampered = token.into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'a' { b'b' } else { b'a' };
        assert!(!Check::Crc32Suffix.passes(&tampered));
        assert!(!Check::Crc32Suffix.passes(b"ghp_short"));
    }

    #[test]
    fn a_jwt_needs_a_header_naming_its_algorithm() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        assert!(Check::JwtHeader.passes(format!("{header}.eyJzdWIiOiIxIn0.c2lnbmF0dXJl").as_bytes()));
        let not_a_header = URL_SAFE_NO_PAD.encode(br#"{"kind":"note"}"#);
        assert!(!Check::JwtHeader.passes(format!("{not_a_header}.eyJzdWIiOiIxIn0.c2ln").as_bytes()));
        assert!(!Check::JwtHeader.passes(b"eyJnotbase64!.x.y"));
    }

    #[test]
    fn a_private_key_needs_a_body() {
        let body = "MIIEowIBAAKCAQEA1x8Jz0Lw3q9Vb2N7kPrT5yUi8Oa4Sd6Fg1Hj3Kl5Zx7Cv9Bn2";
        assert!(Check::PemBody.passes(format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----").as_bytes()));
        assert!(Check::PemBody.passes(format!("-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----").as_bytes()));
        let prose = "-----BEGIN RSA PRIVATE KEY-----' and\n        '-----END RSA PRIVATE KEY-----";
        assert!(!Check::PemBody.passes(prose.as_bytes()));
    }

    #[test]
    fn code_shapes_are_not_secrets_but_random_values_are() {
        for code in ["this.tokenize", "tokenize", "config.dbPassword", "prod/db/password", "my-secret-name", "SOME_SETTING_NAME", "v4-unsigned-body", "123e4567-e89b-12d3-a456-426614174000", "your_api_key_here"] {
            assert!(looks_like_code(code.as_bytes(), false, code.as_bytes()), "{code}");
        }
        for secret in ["q8Zt3xLw9VbN2kPr", "AbC9/dEf+Gh1=", "k3-x9Qz-7Lp2"] {
            assert!(!looks_like_code(secret.as_bytes(), false, secret.as_bytes()), "{secret}");
        }
        assert!(!looks_like_code(b"correcthorsebattery", true, b""), "a quoted word is a password");
        assert!(looks_like_code(b"prod/db/password", true, b""), "a quoted path names a place");
        assert!(looks_like_code(b"v4-unsigned-body", true, b"auth_type == '"), "a comparison assigns nothing");
        assert!(looks_like_code(b"pL1+qb9HTMRZJmuC/bB/ZI9d302BYrrqiVuRyW+DGrU=", false, b"Public key ping-sha256: "));
        assert!(!looks_like_code(b"pL1+qb9HTMRZJmuC/bB/ZI9d302BYrrqiVuRyW+DGrU=", false, b"hmac_sha256_key = "));
        assert!(looks_like_code(b"eyJ2IjoiMSIsInMi...", true, b""), "an elided example");
        for name in ["Ec2SubnetIds", "Ipv6CidrAssociations", "Europe/Dublin", "AWSCompromisedKeyQuarantineV2"] {
            assert!(looks_like_code(name.as_bytes(), true, b""), "{name}");
        }
        for random in ["q8Zt3xLw9VbN2kPr", "e9f93d5d01b7cd8a", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "Zx9TqW2mPl7vBn4K"] {
            assert!(!looks_like_code(random.as_bytes(), true, b""), "{random}");
        }
    }
}
