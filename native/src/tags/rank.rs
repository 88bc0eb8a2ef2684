//! Which definitions matter for a task: a graph whose nodes are files and whose edges run from a
//! file that uses a name to each file that defines it, ranked by PageRank personalised to what
//! the task mentions and the agent touched; each file's rank then flows along its edges to the
//! definitions they name.
//!
//! The weights are aider's (which this map is measured against in bench/repomap.ts): a mentioned
//! name ×10, a long compound name ×10, a private one ×0.1, one defined in more than five files
//! ×0.1, a use from a touched file ×50, repeated uses by √count. PageRank follows networkx's
//! `pagerank` (alpha 0.85, at most 100 iterations, L1 tolerance N×1e-6, uniform start; the
//! personalisation vector is also where dangling nodes' rank goes), so that a map ranks as
//! aider's does for the same graph.
//!
//! It reads the tags as the cache holds them (`encode` in tags_js.rs) and decodes only names:
//! a warm map of a large tree spends its time here, and building the graph in JavaScript
//! objects cost five times the iterations themselves.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use foldhash::fast::RandomState;
use regex::Regex;
use serde::de::IgnoredAny;
use serde::Deserialize;

/// What the ranking is personalised to.
#[derive(Debug, Default)]
pub struct Focus {
    /// Files the task names: the random jump lands on them.
    pub files: HashSet<String>,
    /// Words of the task: a definition with one of these names weighs more, and so does a file
    /// whose path has one as a component.
    pub identifiers: HashSet<String>,
    /// Files the agent read or edited: jumped to, and what they use weighs more.
    pub touched: HashSet<String>,
}

/// One file of the repository: its path and its tags as the cache encodes them.
pub struct TaggedFile<'a> {
    pub path: &'a str,
    pub tags: &'a str,
}

/// A definition and its rank; `file` is the position of its file in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedDefinition<'a> {
    pub file: usize,
    pub name: Cow<'a, str>,
    pub rank: f64,
}

#[derive(Debug)]
pub struct BadTags {
    pub path: String,
    pub reason: String,
}

#[derive(Deserialize)]
struct DefinitionName<'a>(#[serde(borrow)] Cow<'a, str>, IgnoredAny, IgnoredAny);

#[derive(Deserialize)]
struct ReferenceName<'a>(#[serde(borrow)] Cow<'a, str>, IgnoredAny);

#[derive(Deserialize)]
struct EncodedTags<'a>(#[serde(borrow)] Vec<DefinitionName<'a>>, #[serde(borrow)] Vec<ReferenceName<'a>>);

/// Weight of a defined-but-unused name's self-edge: enough to keep its definition in the ranking at all.
const UNUSED_WEIGHT: f64 = 0.1;
const ALPHA: f64 = 0.85;
const MAX_ITERATIONS: usize = 100;
const TOLERANCE: f64 = 1e-6;

/// JavaScript's string order (UTF-16 code units), which the map's order has always followed: it
/// differs from Rust's (code points) only between U+E000..U+FFFF and characters past U+FFFF.
fn utf16_order(a: &str, b: &str) -> Ordering {
    let unit = |c: char| if (c as u32) > 0xFFFF { 0xD800 } else { c as u32 };
    for (x, y) in a.chars().zip(b.chars()) {
        if x != y {
            return unit(x).cmp(&unit(y)).then(x.cmp(&y));
        }
    }
    a.len().cmp(&b.len())
}

struct Letters {
    any: Regex,
    upper: Regex,
    lower: Regex,
}

fn letters() -> &'static Letters {
    static LETTERS: OnceLock<Letters> = OnceLock::new();
    LETTERS.get_or_init(|| Letters {
        any: Regex::new(r"\p{L}").expect("a valid class"),
        upper: Regex::new(r"\p{Lu}").expect("a valid class"),
        lower: Regex::new(r"\p{Ll}").expect("a valid class"),
    })
}

/// Long names joined from words are specific; `get` or `run` are defined everywhere and say little.
fn is_specific(name: &str) -> bool {
    let letters = letters();
    if name.encode_utf16().count() < 8 || !letters.any.is_match(name) {
        return false;
    }
    name.contains('_') || name.contains('-') || (letters.upper.is_match(name) && letters.lower.is_match(name))
}

fn name_weight(name: &str, definers: usize, focus: &Focus) -> f64 {
    let mut weight = 1.0;
    if focus.identifiers.contains(name) {
        weight *= 10.0;
    }
    if is_specific(name) {
        weight *= 10.0;
    }
    if name.starts_with('_') {
        weight *= 0.1;
    }
    if definers > 5 {
        weight *= 0.1;
    }
    weight
}

/// Whether a task names this path by one of its parts: a folder, its name, its name without the extension.
fn path_named(path: &str, identifiers: &HashSet<String>) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    let stem = base.rfind('.').filter(|&dot| dot > 0).map(|dot| &base[..dot]);
    path.split('/').chain(stem).any(|word| identifiers.contains(word))
}

/// Every name once, numbered in order of first sight.
#[derive(Default)]
struct Names<'a> {
    text: Vec<Cow<'a, str>>,
    ids: HashMap<Cow<'a, str>, usize, RandomState>,
    /// Per name, the files that define it, ascending.
    definers: Vec<Vec<usize>>,
    /// Per name, each file that uses it and how often, files ascending.
    users: Vec<Vec<(usize, u32)>>,
}

impl<'a> Names<'a> {
    fn id(&mut self, name: Cow<'a, str>) -> usize {
        if let Some(&id) = self.ids.get(&name) {
            return id;
        }
        let id = self.text.len();
        self.text.push(name.clone());
        self.ids.insert(name, id);
        self.definers.push(Vec::new());
        self.users.push(Vec::new());
        id
    }

    fn define(&mut self, name: Cow<'a, str>, file: usize) {
        let id = self.id(name);
        let list = &mut self.definers[id];
        if list.last() != Some(&file) {
            list.push(file);
        }
    }

    fn use_in(&mut self, name: Cow<'a, str>, file: usize) {
        let id = self.id(name);
        match self.users[id].last_mut() {
            Some((last, count)) if *last == file => *count += 1,
            _ => self.users[id].push((file, 1)),
        }
    }
}

/// Links in compressed rows: link `k`'s users are `user_node[user_start[k]..user_start[k+1]]`, likewise its definers.
/// Such a graph has uses × definitions edges (a name like `get`, used in 500 files and defined in 200, alone makes
/// 100,000), so edges are kept as links through names, and each iteration costs uses + definitions steps. The result
/// is the same as on the expanded graph, whose parallel edges add up.
#[derive(Default)]
struct LinkGraph {
    nodes: usize,
    /// Each link's name.
    name: Vec<usize>,
    user_start: Vec<usize>,
    user_node: Vec<usize>,
    /// The weight of the edge from this user to each definer of the link.
    user_weight: Vec<f64>,
    definer_start: Vec<usize>,
    definer_node: Vec<usize>,
}

impl LinkGraph {
    fn links(&self) -> usize {
        self.name.len()
    }

    fn add(&mut self, name: usize, users: impl IntoIterator<Item = (usize, f64)>, definers: &[usize]) {
        if self.user_start.is_empty() {
            self.user_start.push(0);
            self.definer_start.push(0);
        }
        self.name.push(name);
        for (file, weight) in users {
            self.user_node.push(file);
            self.user_weight.push(weight);
        }
        self.user_start.push(self.user_node.len());
        self.definer_node.extend_from_slice(definers);
        self.definer_start.push(self.definer_node.len());
    }

    fn users(&self, link: usize) -> std::ops::Range<usize> {
        self.user_start[link]..self.user_start[link + 1]
    }

    fn definers(&self, link: usize) -> &[usize] {
        &self.definer_node[self.definer_start[link]..self.definer_start[link + 1]]
    }

    /// Each node's total out-edge weight: a user's weight counts once per definer it reaches.
    fn out_weights(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.nodes];
        for link in 0..self.links() {
            let definers = self.definers(link).len() as f64;
            for at in self.users(link) {
                out[self.user_node[at]] += self.user_weight[at] * definers;
            }
        }
        out
    }

    /// The rank that flows along each link to each of its definers: its users' rank, each split over its out-edges by weight.
    fn flows(&self, rank: &[f64], out: &[f64]) -> Vec<f64> {
        (0..self.links())
            .map(|link| {
                let mut flow = 0.0;
                for at in self.users(link) {
                    let user = self.user_node[at];
                    flow += (rank[user] * self.user_weight[at]) / out[user];
                }
                flow
            })
            .collect()
    }
}

/// Each node's rank. `personalisation` (non-negative, one per node) falls back to uniform when all zero.
fn page_rank(graph: &LinkGraph, personalisation: &[f64]) -> Vec<f64> {
    let nodes = graph.nodes;
    if nodes == 0 {
        return Vec::new();
    }
    let sum: f64 = personalisation.iter().sum();
    let jump: Vec<f64> = if sum > 0.0 {
        personalisation.iter().map(|value| value / sum).collect()
    } else {
        vec![1.0 / nodes as f64; nodes]
    };
    let out = graph.out_weights();
    let dangling: Vec<usize> = (0..nodes).filter(|&node| out[node] == 0.0).collect();

    let mut rank = vec![1.0 / nodes as f64; nodes];
    for _ in 0..MAX_ITERATIONS {
        let flows = graph.flows(&rank, &out);
        let mut next = vec![0.0; nodes];
        for (link, flow) in flows.iter().enumerate() {
            for &definer in graph.definers(link) {
                next[definer] += flow;
            }
        }
        let dangling_rank: f64 = dangling.iter().map(|&node| rank[node]).sum();
        let mut change = 0.0;
        for node in 0..nodes {
            next[node] = ALPHA * (next[node] + dangling_rank * jump[node]) + (1.0 - ALPHA) * jump[node];
            change += (next[node] - rank[node]).abs();
        }
        rank = next;
        if change < nodes as f64 * TOLERANCE {
            break;
        }
    }
    rank
}

/// Every definition of `files` (in path order, as JavaScript sorts), best first; ties by path, then name, so the same
/// repository and focus give the same order.
pub fn rank_definitions<'a>(files: &[TaggedFile<'a>], focus: &Focus) -> Result<Vec<RankedDefinition<'a>>, BadTags> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| utf16_order(files[a].path, files[b].path));

    let mut names = Names::default();
    for (position, &file) in order.iter().enumerate() {
        let EncodedTags(definitions, references) = serde_json::from_str(files[file].tags)
            .map_err(|error| BadTags { path: files[file].path.to_string(), reason: error.to_string() })?;
        for DefinitionName(name, ..) in definitions {
            names.define(name, position);
        }
        for ReferenceName(name, ..) in references {
            names.use_in(name, position);
        }
    }
    // Languages that gave definitions but no references still rank: each definition uses itself.
    if names.users.iter().all(Vec::is_empty) {
        for (users, definers) in names.users.iter_mut().zip(&names.definers) {
            *users = definers.iter().map(|&file| (file, 1)).collect();
        }
    }

    let mut defined: Vec<usize> = (0..names.text.len()).filter(|&id| !names.definers[id].is_empty()).collect();
    defined.sort_by(|&a, &b| utf16_order(&names.text[a], &names.text[b]));
    let path_of = |position: usize| files[order[position]].path;

    // Links first in file positions; then only files with an edge become nodes (as in aider's graph), in path order.
    let mut graph = LinkGraph::default();
    for &id in &defined {
        let (definers, users) = (&names.definers[id], &names.users[id]);
        if users.is_empty() {
            for &file in definers {
                graph.add(id, [(file, UNUSED_WEIGHT)], &[file]);
            }
            continue;
        }
        let weight = name_weight(&names.text[id], definers.len(), focus);
        let weighted = users.iter().map(|&(file, count)| {
            let touched = if focus.touched.contains(path_of(file)) { 50.0 } else { 1.0 };
            (file, touched * weight * f64::from(count).sqrt())
        });
        graph.add(id, weighted, definers);
    }
    let mut linked = vec![false; files.len()];
    for &file in graph.user_node.iter().chain(&graph.definer_node) {
        linked[file] = true;
    }
    let node_files: Vec<usize> = (0..files.len()).filter(|&position| linked[position]).collect();
    let mut node_of = vec![0; files.len()];
    for (node, &position) in node_files.iter().enumerate() {
        node_of[position] = node;
    }
    graph.nodes = node_files.len();
    for file in graph.user_node.iter_mut().chain(graph.definer_node.iter_mut()) {
        *file = node_of[*file];
    }

    let personalisation: Vec<f64> = node_files
        .iter()
        .map(|&position| {
            let path = path_of(position);
            let named = focus.files.contains(path) || focus.touched.contains(path);
            f64::from(u8::from(named)) + f64::from(u8::from(path_named(path, &focus.identifiers)))
        })
        .collect();
    let rank = page_rank(&graph, &personalisation);
    let flows = graph.flows(&rank, &graph.out_weights());

    // Each (file, name) is on one link: a used name's link lists each definer once, an unused one has a link per file.
    let mut name_position = vec![0; names.text.len()];
    for (position, &id) in defined.iter().enumerate() {
        name_position[id] = position;
    }
    let mut ranked: Vec<(usize, usize, f64)> = Vec::with_capacity(graph.definer_node.len());
    for link in 0..graph.links() {
        for &node in graph.definers(link) {
            ranked.push((node_files[node], graph.name[link], flows[link]));
        }
    }
    ranked.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)).then(name_position[a.1].cmp(&name_position[b.1])));
    Ok(ranked
        .into_iter()
        .map(|(position, id, rank)| RankedDefinition { file: order[position], name: names.text[id].clone(), rank })
        .collect())
}


#[cfg(test)]
mod tests {
    use super::*;

    /// A plain weighted graph as links of one user and one definer each.
    fn graph_of(nodes: usize, edges: &[(usize, usize, f64)]) -> LinkGraph {
        let mut graph = LinkGraph { nodes, ..LinkGraph::default() };
        for &(from, to, weight) in edges {
            graph.add(0, [(from, weight)], &[to]);
        }
        graph
    }

    /// Parallel edges, a self-loop and a dangling node (4).
    const EDGES: [(usize, usize, f64); 7] = [(0, 1, 1.0), (0, 2, 2.0), (1, 2, 1.0), (2, 0, 0.5), (3, 2, 3.0), (3, 2, 1.0), (1, 1, 0.1)];

    fn assert_close(found: &[f64], expected: &[f64]) {
        assert_eq!(found.len(), expected.len());
        for (found, expected) in found.iter().zip(expected) {
            assert!((found - expected).abs() < 1e-6, "{found} is not {expected}");
        }
    }

    // Expected ranks are networkx 3's pagerank on the same MultiDiGraph.
    #[test]
    fn page_rank_matches_networkx_without_personalisation() {
        let rank = page_rank(&graph_of(5, &EDGES), &[0.0; 5]);
        assert_close(&rank, &[0.37489455876018024, 0.15428701548669924, 0.39852926912645514, 0.03614457831333275, 0.03614457831333275]);
    }

    #[test]
    fn page_rank_matches_networkx_personalised() {
        let rank = page_rank(&graph_of(5, &EDGES), &[0.0, 0.0, 0.0, 1.0, 1.0]);
        assert_close(&rank, &[0.2976126036019087, 0.09138525036269182, 0.35013242318577675, 0.1304348614248113, 0.1304348614248113]);
    }

    #[test]
    fn a_link_with_several_users_and_definers_counts_as_every_edge_between_them() {
        let mut link = LinkGraph { nodes: 4, ..LinkGraph::default() };
        link.add(0, [(0, 1.0), (1, 3.0)], &[2, 3]);
        let expanded = graph_of(4, &[(0, 2, 1.0), (0, 3, 1.0), (1, 2, 3.0), (1, 3, 3.0)]);
        assert_eq!(page_rank(&link, &[0.0; 4]), page_rank(&expanded, &[0.0; 4]));
        assert!(page_rank(&LinkGraph::default(), &[]).is_empty());
    }

    #[test]
    fn strings_order_as_javascript_sorts_them() {
        let mut words = vec!["b", "a\u{FFFD}", "a\u{1F600}", "ab", "a", "B"];
        words.sort_by(|a, b| utf16_order(a, b));
        assert_eq!(words, ["B", "a", "ab", "a\u{1F600}", "a\u{FFFD}", "b"]);
    }

    #[test]
    fn specific_names_are_long_and_compound() {
        assert!(is_specific("retry_with_backoff"));
        assert!(is_specific("retryWithBackoff"));
        assert!(is_specific("kebab-case-name"));
        assert!(!is_specific("retrywithbackoff"));
        assert!(!is_specific("getUser"));
        assert!(!is_specific("________"));
        // Length in UTF-16 units, as the weights were tuned in JavaScript: five characters, eight units.
        assert!(is_specific("𝐀𝐁𝐂_x"));
    }

    fn tags(definitions: &[&str], references: &[&str]) -> String {
        let definitions: Vec<(&str, u32, &str)> = definitions.iter().map(|name| (*name, 1, "")).collect();
        let references: Vec<(&str, u32)> = references.iter().map(|name| (*name, 1)).collect();
        serde_json::to_string(&(definitions, references)).unwrap()
    }

    fn ranked(files: &[(&str, String)], focus: &Focus) -> Vec<(String, String)> {
        let input: Vec<TaggedFile> = files.iter().map(|(path, tags)| TaggedFile { path, tags }).collect();
        rank_definitions(&input, focus)
            .unwrap()
            .into_iter()
            .map(|definition| (files[definition.file].0.to_string(), definition.name.into_owned()))
            .collect()
    }

    fn service() -> Vec<(&'static str, String)> {
        vec![
            ("src/server.ts", tags(&["serve"], &["retryWithBackoff", "retryWithBackoff", "recordLatency", "openStore"])),
            ("src/retry.ts", tags(&["retryWithBackoff"], &[])),
            ("src/metrics.ts", tags(&["recordLatency"], &[])),
            ("src/store.ts", tags(&["openStore"], &[])),
            ("src/client.ts", tags(&["fetchUser"], &["retryWithBackoff", "openStore", "openStore"])),
        ]
    }

    #[test]
    fn the_most_used_definition_ranks_first_and_unused_ones_still_rank() {
        let order = ranked(&service(), &Focus::default());
        assert_eq!(order[0], ("src/store.ts".into(), "openStore".into()));
        assert_eq!(order.len(), 5);
        assert!(order.contains(&("src/server.ts".into(), "serve".into())));
    }

    #[test]
    fn a_mentioned_name_or_a_touched_file_moves_what_it_points_at_up() {
        let position = |order: &[(String, String)], name: &str| order.iter().position(|(_, found)| found == name).unwrap();
        let plain = ranked(&service(), &Focus::default());
        let named = ranked(&service(), &Focus { identifiers: HashSet::from(["recordLatency".to_string()]), ..Focus::default() });
        assert!(position(&named, "recordLatency") < position(&plain, "recordLatency"));
        let touched = ranked(&service(), &Focus { touched: HashSet::from(["src/server.ts".to_string()]), ..Focus::default() });
        assert!(position(&touched, "recordLatency") < position(&plain, "recordLatency"), "{plain:?} then {touched:?}");
    }

    #[test]
    fn without_any_reference_each_definition_uses_itself() {
        let files = vec![("a.c", tags(&["alpha", "beta"], &[])), ("b.c", tags(&["beta"], &[]))];
        let order = ranked(&files, &Focus::default());
        assert_eq!(order[0], ("a.c".into(), "beta".into()));
        assert_eq!(order.len(), 3);
    }

    #[test]
    fn tags_that_do_not_decode_name_their_file() {
        let files = [TaggedFile { path: "broken.py", tags: "[[" }];
        let error = rank_definitions(&files, &Focus::default()).unwrap_err();
        assert_eq!(error.path, "broken.py");
    }
}
