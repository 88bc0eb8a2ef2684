//! A JSON Schema `pattern` read the way ECMA-262 reads it, into a regex over the decoded string.
//!
//! JSON Schema defines `pattern` as an ECMA-262 regular expression, and validators compile it as
//! one (ajv: `new RegExp(pattern, "u")`). regex-syntax's parser tokenises the pattern; each node
//! of its AST is then given ECMA's meaning (with the `u` flag, without `i`, `m` or `s`):
//! `\d \w` and their negations are ASCII, `\s` is ECMA's WhiteSpace and LineTerminator set, `.`
//! stops at every line terminator. Whatever ECMA reads otherwise than regex-syntax's grammar
//! (inline flags, `\p{..}`, `&&` and nested classes, `\x{..}`, a lone `]` or `}`, ...) or what
//! the decoder's automaton cannot express (word boundaries, anchors inside the pattern; look-around
//! and backreferences, which the parser already refuses) is an error, never a silent difference.

use regex_syntax::ast::{
    self, Assertion, AssertionKind, Ast, ClassBracketed, ClassPerl, ClassPerlKind, ClassSet, ClassSetItem, Group, GroupKind,
    HexLiteralKind, LiteralKind, RepetitionKind, RepetitionRange, SpecialLiteralKind,
};
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, Repetition};

/// One top-level alternative of a pattern, and whether `^` / `$` pin it to the string's ends.
#[derive(Debug)]
pub struct Branch {
    pub hir: Hir,
    pub anchored_start: bool,
    pub anchored_end: bool,
}

/// ECMA-262's `\s`: WhiteSpace (TAB, VT, FF, ZWNBSP and the Zs category) and LineTerminator.
const WHITESPACE: &[(char, char)] = &[
    ('\t', '\r'),
    (' ', ' '),
    ('\u{a0}', '\u{a0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200a}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202f}', '\u{202f}'),
    ('\u{205f}', '\u{205f}'),
    ('\u{3000}', '\u{3000}'),
    ('\u{feff}', '\u{feff}'),
];
const LINE_TERMINATORS: &[(char, char)] = &[('\n', '\n'), ('\r', '\r'), ('\u{2028}', '\u{2029}')];
const DIGIT: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
/// The characters ECMA-262 lets a `\` escape outside a class (with the u flag): SyntaxCharacter and `/`.
const ESCAPABLE: &str = r"^$\.*+?()[]{}|/";

const UNICODE_PROPERTY: &str = "is a Unicode property class, which is not supported: each engine reads it from its own Unicode version's tables (regex-syntax's are Unicode 16), so verdicts would differ on some characters: list the characters instead";
const NOT_ECMA: &str = "is not ECMA-262 syntax with the u flag (JSON Schema validators reject the pattern): escape or spell out the characters";

/// The pattern's top-level alternatives; an error says which part cannot be read as ECMA reads it.
pub fn parse(pattern: &str) -> Result<Vec<Branch>, String> {
    let ast = ast::parse::ParserBuilder::new().build().parse(pattern).map_err(|error| parse_error(pattern, &error))?;
    let reader = Reader { pattern };
    match &ast {
        Ast::Alternation(alternation) => alternation.asts.iter().map(|branch| reader.branch(branch)).collect(),
        other => Ok(vec![reader.branch(other)?]),
    }
}

fn parse_error(pattern: &str, error: &ast::Error) -> String {
    let span = error.span();
    let at = &pattern[span.start.offset..span.end.offset];
    match error.kind() {
        ast::ErrorKind::UnsupportedBackreference => {
            format!("{at:?}: backreferences cannot be expressed by a finite automaton (nor is ECMA's \\0 read: write NUL as \\x00)")
        }
        ast::ErrorKind::UnsupportedLookAround => format!("{at:?}: look-ahead and look-behind are not supported: rewrite the pattern without them"),
        ast::ErrorKind::EscapeUnrecognized | ast::ErrorKind::EscapeHexInvalid => {
            format!("{at:?}: {}: write the character itself, as \\xHH or as \\u{{...}} (\\cX, \\k<name> and surrogate pairs are not read)", error.kind())
        }
        ast::ErrorKind::ClassUnclosed => format!("{at:?}: {}: ECMA's [] and [^] are not read here: write [\\s\\S] for any character", error.kind()),
        kind => format!("{at:?}: {kind}"),
    }
}

fn class(ranges: &[(char, char)]) -> ClassUnicode {
    ClassUnicode::new(ranges.iter().map(|&(start, end)| ClassUnicodeRange::new(start, end)))
}

fn negated(mut set: ClassUnicode) -> ClassUnicode {
    set.negate();
    set
}

fn perl_class(perl: &ClassPerl) -> ClassUnicode {
    let set = class(match perl.kind {
        ClassPerlKind::Digit => DIGIT,
        ClassPerlKind::Word => WORD,
        ClassPerlKind::Space => WHITESPACE,
    });
    if perl.negated { negated(set) } else { set }
}

/// `{n}`, `{n,}` or `{n,m}` exactly, lazy or not: regex-syntax also allows spaces inside.
fn is_ecma_braces(op: &str) -> bool {
    let op = op.strip_suffix('?').unwrap_or(op);
    let Some(inner) = op.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) else { return false };
    let (low, high) = inner.split_once(',').map_or((inner, ""), |(low, high)| (low, high));
    let digits = |text: &str| text.bytes().all(|b| b.is_ascii_digit());
    !low.is_empty() && digits(low) && digits(high)
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Outside,
    InClass,
}

struct Reader<'p> {
    pattern: &'p str,
}

impl Reader<'_> {
    fn refuse(&self, span: &ast::Span, why: &str) -> String {
        format!("{:?} {why}", &self.pattern[span.start.offset..span.end.offset])
    }

    fn branch(&self, ast: &Ast) -> Result<Branch, String> {
        let mut items = match ast {
            Ast::Concat(concat) => concat.asts.as_slice(),
            other => std::slice::from_ref(other),
        };
        let is = |item: Option<&Ast>, kind: AssertionKind| matches!(item, Some(Ast::Assertion(assertion)) if assertion.kind == kind);
        let anchored_start = is(items.first(), AssertionKind::StartLine);
        if anchored_start {
            items = &items[1..];
        }
        let anchored_end = is(items.last(), AssertionKind::EndLine);
        if anchored_end {
            items = &items[..items.len() - 1];
        }
        let hir = Hir::concat(items.iter().map(|item| self.node(item)).collect::<Result<_, _>>()?);
        Ok(Branch { hir, anchored_start, anchored_end })
    }

    fn node(&self, ast: &Ast) -> Result<Hir, String> {
        Ok(match ast {
            Ast::Empty(_) => Hir::empty(),
            Ast::Flags(flags) => return Err(self.refuse(&flags.span, "sets flags, which an ECMA-262 pattern cannot do")),
            Ast::Literal(literal) => Hir::literal(self.literal(literal, Place::Outside)?.encode_utf8(&mut [0; 4]).as_bytes()),
            Ast::Dot(_) => Hir::class(Class::Unicode(negated(class(LINE_TERMINATORS)))),
            Ast::Assertion(assertion) => return Err(self.assertion(assertion)),
            Ast::ClassUnicode(property) => return Err(self.refuse(&property.span, UNICODE_PROPERTY)),
            Ast::ClassPerl(perl) => Hir::class(Class::Unicode(perl_class(perl))),
            Ast::ClassBracketed(bracketed) => Hir::class(Class::Unicode(self.bracketed(bracketed)?)),
            Ast::Repetition(repetition) => self.repetition(repetition)?,
            Ast::Group(group) => self.group(group)?,
            Ast::Alternation(alternation) => Hir::alternation(alternation.asts.iter().map(|a| self.node(a)).collect::<Result<_, _>>()?),
            Ast::Concat(concat) => Hir::concat(concat.asts.iter().map(|a| self.node(a)).collect::<Result<_, _>>()?),
        })
    }

    fn literal(&self, literal: &ast::Literal, place: Place) -> Result<char, String> {
        let c = literal.c;
        let same_in_ecma = match &literal.kind {
            // A lone `]` or `}` is a syntax error with the u flag; regex-syntax takes a `]` that opens a class as a character.
            LiteralKind::Verbatim => !matches!(c, ']' | '}'),
            LiteralKind::Meta => ESCAPABLE.contains(c) || (c == '-' && place == Place::InClass),
            LiteralKind::Superfluous => c == '/',
            LiteralKind::HexFixed(HexLiteralKind::X | HexLiteralKind::UnicodeShort) => true,
            LiteralKind::HexBrace(HexLiteralKind::UnicodeShort) => true,
            LiteralKind::Special(special) => !matches!(special, SpecialLiteralKind::Bell | SpecialLiteralKind::Space),
            LiteralKind::Octal | LiteralKind::HexFixed(HexLiteralKind::UnicodeLong) | LiteralKind::HexBrace(_) => false,
        };
        if same_in_ecma { Ok(c) } else { Err(self.refuse(&literal.span, NOT_ECMA)) }
    }

    fn assertion(&self, assertion: &Assertion) -> String {
        let why = match assertion.kind {
            AssertionKind::StartLine | AssertionKind::EndLine => {
                "anchors only at the start or end of the pattern (or of a top-level alternative) can be expressed: move it there"
            }
            AssertionKind::WordBoundary | AssertionKind::NotWordBoundary => {
                "is a word boundary, which the decoder's automaton cannot express: match the neighbouring characters with classes instead"
            }
            _ => NOT_ECMA,
        };
        self.refuse(&assertion.span, why)
    }

    fn repetition(&self, repetition: &ast::Repetition) -> Result<Hir, String> {
        if matches!(*repetition.ast, Ast::Repetition(_)) {
            return Err(self.refuse(&repetition.op.span, "repeats a quantifier, which ECMA-262 rejects: wrap the repeated part in (?:...)"));
        }
        let (min, max) = match &repetition.op.kind {
            RepetitionKind::ZeroOrOne => (0, Some(1)),
            RepetitionKind::ZeroOrMore => (0, None),
            RepetitionKind::OneOrMore => (1, None),
            RepetitionKind::Range(range) => {
                let op = &self.pattern[repetition.op.span.start.offset..repetition.op.span.end.offset];
                if !is_ecma_braces(op) {
                    return Err(self.refuse(&repetition.op.span, NOT_ECMA));
                }
                match *range {
                    RepetitionRange::Exactly(n) => (n, Some(n)),
                    RepetitionRange::AtLeast(n) => (n, None),
                    RepetitionRange::Bounded(low, high) => (low, Some(high)),
                }
            }
        };
        let sub = Box::new(self.node(&repetition.ast)?);
        Ok(Hir::repetition(Repetition { min, max, greedy: repetition.greedy, sub }))
    }

    fn group(&self, group: &Group) -> Result<Hir, String> {
        let plain = match &group.kind {
            GroupKind::CaptureIndex(_) => true,
            GroupKind::CaptureName { starts_with_p, name } => !starts_with_p && is_identifier(&name.name),
            GroupKind::NonCapturing(flags) => flags.items.is_empty(),
        };
        if !plain {
            let head = ast::Span::new(group.span.start, group.ast.span().start);
            return Err(self.refuse(&head, NOT_ECMA));
        }
        self.node(&group.ast)
    }

    fn bracketed(&self, bracketed: &ClassBracketed) -> Result<ClassUnicode, String> {
        let ClassSet::Item(item) = &bracketed.kind else {
            return Err(self.refuse(&bracketed.span, "uses &&, -- or ~~, which ECMA-262 reads as plain characters: write each of those characters once"));
        };
        let set = self.class_item(item)?;
        Ok(if bracketed.negated { negated(set) } else { set })
    }

    fn class_item(&self, item: &ClassSetItem) -> Result<ClassUnicode, String> {
        Ok(match item {
            ClassSetItem::Empty(_) => ClassUnicode::empty(),
            ClassSetItem::Literal(literal) => {
                let c = self.literal(literal, Place::InClass)?;
                class(&[(c, c)])
            }
            ClassSetItem::Range(range) => class(&[(self.literal(&range.start, Place::InClass)?, self.literal(&range.end, Place::InClass)?)]),
            ClassSetItem::Perl(perl) => perl_class(perl),
            ClassSetItem::Union(union) => {
                self.check_dashes(&union.items)?;
                let mut set = ClassUnicode::empty();
                for item in &union.items {
                    set.union(&self.class_item(item)?);
                }
                set
            }
            ClassSetItem::Unicode(property) => return Err(self.refuse(&property.span, UNICODE_PROPERTY)),
            ClassSetItem::Ascii(ascii) => return Err(self.refuse(&ascii.span, "is a POSIX class, which ECMA-262 does not have: spell the characters out")),
            ClassSetItem::Bracketed(nested) => return Err(self.refuse(&nested.span, NOT_ECMA)),
        })
    }

    /// regex-syntax reads `[\w-z]` and `[--\d]` as characters; ECMA-262 (u flag) as a range with a
    /// class for an end, which is a syntax error. After a range (`[a-c-\d]`) the `-` is a character in both.
    fn check_dashes(&self, items: &[ClassSetItem]) -> Result<(), String> {
        let is_escape = |item: Option<&ClassSetItem>| matches!(item, Some(ClassSetItem::Perl(_) | ClassSetItem::Unicode(_)));
        for (i, item) in items.iter().enumerate().skip(1) {
            let ClassSetItem::Literal(dash) = item else { continue };
            if dash.c != '-' || dash.kind != LiteralKind::Verbatim || i + 1 == items.len() {
                continue;
            }
            let before = &items[i - 1];
            if is_escape(Some(before)) || (is_escape(items.get(i + 1)) && !matches!(before, ClassSetItem::Range(_))) {
                let span = ast::Span::new(before.span().start, items[i + 1].span().end);
                return Err(self.refuse(&span, "is a range with a class escape for an end, which ECMA-262 rejects with the u flag: write the - as \\-"));
            }
        }
        Ok(())
    }
}
