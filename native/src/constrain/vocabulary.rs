//! Token vocabularies as byte strings indexed by token id: tiktoken rank files (the format
//! @dqbd/tiktoken ships) and Hugging Face tokenizer.json files.

use super::trie::TokenTrie;
use base64::Engine as _;
use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug)]
pub struct Vocabulary {
    /// Bytes of each token id; special tokens and unused ids have none and are never allowed.
    tokens: Vec<Option<Vec<u8>>>,
    /// Special tokens by name (e.g. `<|endoftext|>`).
    specials: HashMap<String, u32>,
    /// The non-empty tokens, built when the vocabulary is loaded (as llguidance builds its trie
    /// with its tokenizer), so that no schema pays for it.
    trie: TokenTrie,
}

impl Vocabulary {
    pub fn new(tokens: Vec<Option<Vec<u8>>>, specials: HashMap<String, u32>) -> Vocabulary {
        let size = specials.values().map(|id| *id as usize + 1).max().unwrap_or(0).max(tokens.len());
        let mut tokens = tokens;
        tokens.resize(size, None);
        let mut ids: Vec<u32> = (0..size as u32).filter(|id| tokens[*id as usize].as_ref().is_some_and(|t| !t.is_empty())).collect();
        ids.sort_unstable_by(|a, b| tokens[*a as usize].cmp(&tokens[*b as usize]));
        let trie = TokenTrie::new(ids.iter().map(|&id| (id, tokens[id as usize].as_deref().unwrap_or_default())));
        Vocabulary { tokens, specials, trie }
    }

    /// The JSON of @dqbd/tiktoken's `encoders/<name>.json`: `bpe_ranks` holds lines
    /// `<tag> <first rank> <base64 token>...` with consecutive ranks.
    pub fn from_tiktoken_json(text: &str) -> Result<Vocabulary, String> {
        let json: Value = serde_json::from_str(text).map_err(|e| format!("not a tiktoken encoder JSON: {e}"))?;
        let ranks = json["bpe_ranks"].as_str().ok_or("the encoder JSON has no bpe_ranks string")?;
        let mut tokens: Vec<Option<Vec<u8>>> = Vec::new();
        for line in ranks.lines().filter(|l| !l.is_empty()) {
            let mut fields = line.split(' ');
            let _tag = fields.next();
            let first: usize = fields
                .next()
                .and_then(|f| f.parse().ok())
                .ok_or_else(|| format!("bpe_ranks line without a rank: {line:.40}"))?;
            for (i, field) in fields.enumerate() {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(field)
                    .map_err(|e| format!("bpe_ranks token {field:?} is not base64: {e}"))?;
                let rank = first + i;
                if tokens.len() <= rank {
                    tokens.resize(rank + 1, None);
                }
                tokens[rank] = Some(bytes);
            }
        }
        let specials = json["special_tokens"]
            .as_object()
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_u64()? as u32))).collect())
            .unwrap_or_default();
        Ok(Vocabulary::new(tokens, specials))
    }

    /// A Hugging Face tokenizer.json: byte-level BPE (GPT-2 style byte↔char mapping) or
    /// SentencePiece-style vocabularies (`▁` for space, `<0xNN>` byte fallback).
    pub fn from_tokenizer_json(text: &str) -> Result<Vocabulary, String> {
        let json: Value = serde_json::from_str(text).map_err(|e| format!("not a tokenizer.json: {e}"))?;
        let vocab = json["model"]["vocab"].as_object().ok_or("tokenizer.json has no model.vocab object (only BPE/WordPiece-style vocabularies are supported)")?;
        let byte_level = mentions_byte_level(&json["pre_tokenizer"]) || mentions_byte_level(&json["decoder"]);
        let unicode_to_byte: HashMap<char, u8> = gpt2_bytes_to_unicode().into_iter().map(|(b, c)| (c, b)).collect();
        let mut tokens: Vec<Option<Vec<u8>>> = Vec::new();
        for (piece, id) in vocab {
            let id = id.as_u64().ok_or_else(|| format!("vocab entry {piece:?} has no integer id"))? as usize;
            let bytes = if byte_level {
                piece.chars().map(|c| unicode_to_byte.get(&c).copied()).collect::<Option<Vec<u8>>>()
            } else {
                Some(sentencepiece_bytes(piece))
            };
            if tokens.len() <= id {
                tokens.resize(id + 1, None);
            }
            tokens[id] = bytes;
        }
        let mut specials = HashMap::new();
        for added in json["added_tokens"].as_array().into_iter().flatten() {
            let (Some(content), Some(id)) = (added["content"].as_str(), added["id"].as_u64()) else { continue };
            if added["special"].as_bool().unwrap_or(false) {
                specials.insert(content.to_string(), id as u32);
                if let Some(slot) = tokens.get_mut(id as usize) {
                    *slot = None;
                }
            } else {
                if tokens.len() <= id as usize {
                    tokens.resize(id as usize + 1, None);
                }
                tokens[id as usize] = Some(content.as_bytes().to_vec());
            }
        }
        Ok(Vocabulary::new(tokens, specials))
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn token(&self, id: u32) -> Option<&[u8]> {
        self.tokens.get(id as usize).and_then(|t| t.as_deref())
    }

    pub fn special(&self, name: &str) -> Option<u32> {
        self.specials.get(name).copied()
    }

    pub fn trie(&self) -> &TokenTrie {
        &self.trie
    }

    pub fn heap_bytes(&self) -> usize {
        let tokens: usize = self.tokens.iter().map(|t| t.as_ref().map_or(0, Vec::len) + std::mem::size_of::<Option<Vec<u8>>>()).sum();
        tokens + self.trie.heap_bytes()
    }
}

fn mentions_byte_level(node: &Value) -> bool {
    match node {
        Value::Object(map) => map.get("type").and_then(Value::as_str) == Some("ByteLevel") || map.values().any(mentions_byte_level),
        Value::Array(list) => list.iter().any(mentions_byte_level),
        _ => false,
    }
}

fn sentencepiece_bytes(piece: &str) -> Vec<u8> {
    if let Some(hex) = piece.strip_prefix("<0x").and_then(|p| p.strip_suffix('>')) {
        if let Ok(byte) = u8::from_str_radix(hex, 16) {
            return vec![byte];
        }
    }
    piece.replace('\u{2581}', " ").into_bytes()
}

/// GPT-2's reversible byte → printable-char table used by byte-level BPE vocabularies.
fn gpt2_bytes_to_unicode() -> Vec<(u8, char)> {
    let printable = |b: u8| (b'!'..=b'~').contains(&b) || (0xA1..=0xAC).contains(&b) || (0xAE..=0xFF).contains(&b);
    let mut extra = 0u32;
    (0..=255u8)
        .map(|b| {
            if printable(b) {
                (b, char::from(b))
            } else {
                let c = char::from_u32(256 + extra).expect("in range");
                extra += 1;
                (b, c)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tiktoken_rank_lines() {
        let json = r#"{"bpe_ranks":"! 0 IQ== Ig==\n! 2 aGk=","special_tokens":{"<|eos|>":5}}"#;
        let vocabulary = Vocabulary::from_tiktoken_json(json).unwrap();
        assert_eq!(vocabulary.token(0), Some(&b"!"[..]));
        assert_eq!(vocabulary.token(2), Some(&b"hi"[..]));
        assert_eq!(vocabulary.len(), 6);
        assert_eq!(vocabulary.token(5), None);
        assert_eq!(vocabulary.special("<|eos|>"), Some(5));
    }

    #[test]
    fn reads_byte_level_and_sentencepiece_tokenizers() {
        let byte_level = r#"{"pre_tokenizer":{"type":"ByteLevel"},"model":{"vocab":{"Ġhi":0,"Ċ":1}},
            "added_tokens":[{"id":2,"content":"<eos>","special":true}]}"#;
        let vocabulary = Vocabulary::from_tokenizer_json(byte_level).unwrap();
        assert_eq!(vocabulary.token(0), Some(&b" hi"[..]));
        assert_eq!(vocabulary.token(1), Some(&b"\n"[..]));
        assert_eq!(vocabulary.special("<eos>"), Some(2));
        let sentencepiece = r#"{"model":{"vocab":{"▁hi":0,"<0x0A>":1}}}"#;
        let vocabulary = Vocabulary::from_tokenizer_json(sentencepiece).unwrap();
        assert_eq!(vocabulary.token(0), Some(&b" hi"[..]));
        assert_eq!(vocabulary.token(1), Some(&b"\n"[..]));
    }
}
