//! "Where did it come closest?" for failed hunks and unmatched search blocks. A sliding window
//! over the haystack's lines is ranked by shared character bigrams (linear time, however large
//! the file), then the best few windows are scored exactly with a character diff.

use crate::text::strip_terminator;
use imara_diff::{Algorithm, Diff, Token};
use std::collections::HashMap;

/// Windows scored exactly after the bigram ranking.
const FINALISTS: usize = 4;
/// Characters compared per side in the exact score; bounds the cost of a pathological input.
const MAX_SCORED_CHARS: usize = 20_000;

/// The best window of `needle.len()` lines in `haystack` (lines may carry terminators):
/// its 0-based start and its similarity in 0..1, or None when nothing is alike at all.
/// `prefer` breaks ties toward a line.
pub fn best_window(haystack: &[&str], needle: &[&str], prefer: usize) -> Option<(usize, f64)> {
    if haystack.is_empty() || needle.is_empty() {
        return None;
    }
    let width = needle.len().min(haystack.len());
    let bigrams_of = |line: &str| -> Vec<u16> {
        let bytes = line.trim().as_bytes();
        bytes
            .windows(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .collect()
    };
    let mut wanted = vec![0u32; 1 << 16];
    let mut wanted_total = 0u64;
    for line in needle {
        for bigram in bigrams_of(line) {
            wanted[bigram as usize] += 1;
            wanted_total += 1;
        }
    }
    let line_bigrams: Vec<Vec<u16>> = haystack.iter().map(|line| bigrams_of(line)).collect();
    let mut window = vec![0u32; 1 << 16];
    let mut shared = 0u64;
    let mut window_total = 0u64;
    let add = |bigrams: &[u16], window: &mut [u32], shared: &mut u64, total: &mut u64| {
        for &bigram in bigrams {
            if window[bigram as usize] < wanted[bigram as usize] {
                *shared += 1;
            }
            window[bigram as usize] += 1;
            *total += 1;
        }
    };
    let remove = |bigrams: &[u16], window: &mut [u32], shared: &mut u64, total: &mut u64| {
        for &bigram in bigrams {
            window[bigram as usize] -= 1;
            if window[bigram as usize] < wanted[bigram as usize] {
                *shared -= 1;
            }
            *total -= 1;
        }
    };

    // (score, distance from `prefer`, start): higher score first, then nearer.
    let mut ranked: Vec<(f64, usize, usize)> = Vec::new();
    for start in 0..=haystack.len() - width {
        if start == 0 {
            for bigrams in &line_bigrams[..width] {
                add(bigrams, &mut window, &mut shared, &mut window_total);
            }
        } else {
            remove(
                &line_bigrams[start - 1],
                &mut window,
                &mut shared,
                &mut window_total,
            );
            add(
                &line_bigrams[start + width - 1],
                &mut window,
                &mut shared,
                &mut window_total,
            );
        }
        let total = window_total + wanted_total;
        let score = if total == 0 {
            0.0
        } else {
            2.0 * shared as f64 / total as f64
        };
        ranked.push((score, start.abs_diff(prefer), start));
    }
    ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let needle_text = join_lines(needle);
    ranked
        .iter()
        .take(FINALISTS)
        .map(|&(_, distance, start)| {
            let score = char_similarity(&join_lines(&haystack[start..start + width]), &needle_text);
            (score, distance, start)
        })
        .max_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)))
        .filter(|&(score, _, _)| score > 0.0)
        .map(|(score, _, start)| (start, score))
}

fn join_lines(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|line| strip_terminator(line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// 2·matched / (len(a) + len(b)) over characters, like difflib's ratio; 1.0 for two empty texts.
pub fn char_similarity(a: &str, b: &str) -> f64 {
    let mut ids: HashMap<char, u32> = HashMap::new();
    let mut tokens = |text: &str| -> Vec<Token> {
        text.chars()
            .take(MAX_SCORED_CHARS)
            .map(|c| {
                let next = ids.len() as u32;
                Token(*ids.entry(c).or_insert(next))
            })
            .collect()
    };
    let before = tokens(a);
    let after = tokens(b);
    if before.is_empty() && after.is_empty() {
        return 1.0;
    }
    let mut diff = Diff::default();
    diff.compute_with(Algorithm::Myers, &before, &after, ids.len() as u32);
    let matched = before.len() as u32 - diff.count_removals();
    let score = 2.0 * matched as f64 / (before.len() + after.len()) as f64;
    (score * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_window_with_a_typo() {
        let haystack = [
            "fn a() {\n",
            "    let x = 1;\n",
            "    x + 1\n",
            "}\n",
            "fn b() {}\n",
        ];
        let needle = ["    let x = 2;\n", "    x + 1\n"];
        let (start, score) = best_window(&haystack, &needle, 0).unwrap();
        assert_eq!(start, 1);
        assert!(score > 0.9 && score < 1.0, "{score}");
    }

    #[test]
    fn prefers_the_nearer_of_equal_windows() {
        let haystack = ["x\n", "y\n", "x\n", "y\n", "y\n", "x\n"];
        assert_eq!(best_window(&haystack, &["x\n"], 3).unwrap(), (2, 1.0));
    }

    #[test]
    fn handles_needles_longer_than_the_haystack() {
        let (start, score) = best_window(&["a\n"], &["a\n", "b\n"], 0).unwrap();
        assert_eq!(start, 0);
        assert!(score > 0.0 && score < 1.0);
        assert!(best_window(&[], &["a"], 0).is_none());
        assert!(best_window(&["xyz\n"], &["abc\n"], 0).is_none());
    }

    #[test]
    fn scores_characters() {
        assert_eq!(char_similarity("abcd", "abcd"), 1.0);
        assert_eq!(char_similarity("abcd", "wxyz"), 0.0);
        assert_eq!(char_similarity("", ""), 1.0);
        assert_eq!(char_similarity("ab", "abcd"), 0.667);
    }
}
