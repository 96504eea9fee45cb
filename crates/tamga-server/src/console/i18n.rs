//! The console's words: message catalogues, one Fluent file per language in `locales/`,
//! embedded in the binary at build time, and the choice of language for a request.
//!
//! A catalogue is read by the `fluent-bundle` crate (<https://projectfluent.org>), so
//! messages may use the whole syntax: `{ $name }` placeables and selectors on CLDR plural
//! categories (`{ $n -> [one] … [few] … *[many] … }`), which Russian needs. Adding Kyrgyz
//! is one new file `locales/ky.ftl` (its `language-name` is what the selector shows); the
//! folder is embedded whole, so no code changes. English is the reference: every other
//! catalogue must have each of its keys, with no variable English does not pass (tests hold
//! both), and a missing key falls back to English. A catalogue with a syntax error or a
//! duplicate key is refused whole with its line (a test reads every embedded file), never
//! half-loaded.
//!
//! Never: build visible text anywhere else. Templates and handlers ask [`Tr`] for every word.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::FluentNumber;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use include_dir::{Dir, include_dir};
use unic_langid::LanguageIdentifier;

static LOCALES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/locales");

/// The reference language: complete by definition, the fallback for every other.
pub const DEFAULT: &str = "en";

/// One language's messages.
pub struct Catalogue {
    pub code: String,
    bundle: FluentBundle<FluentResource>,
    /// Each message formatted without arguments, so that [`Tr::s`] can lend a `&'static
    /// str` to templates instead of formatting the same words on every request.
    plain: HashMap<String, String>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue")
            .field("code", &self.code)
            .field("messages", &self.plain.len())
            .finish()
    }
}

/// The 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text.get(..at).unwrap_or(text).matches('\n').count() + 1
}

impl Catalogue {
    /// Reads a Fluent catalogue; answers every problem by line instead of guessing.
    pub fn parse(code: &str, text: &str) -> Result<Catalogue, String> {
        let lang: LanguageIdentifier = code
            .parse()
            .map_err(|e| format!("{code}.ftl: `{code}` is not a language code: {e}"))?;
        let resource = FluentResource::try_new(text.to_owned()).map_err(|(_, errors)| {
            errors
                .iter()
                .map(|e| format!("{code}.ftl line {}: {}", line_of(text, e.pos.start), e.kind))
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let keys: Vec<String> = resource
            .entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect();
        let mut bundle = FluentBundle::new_concurrent(vec![lang]);
        // No Unicode isolation marks around placeables: they would leak into HTML and
        // tests, and the console's arguments are numbers and codes, never right-to-left.
        bundle.set_use_isolating(false);
        bundle.add_resource(resource).map_err(|errors| {
            errors
                .iter()
                .map(|e| format!("{code}.ftl: {e}"))
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let mut plain = HashMap::with_capacity(keys.len());
        for key in keys {
            let Some(pattern) = bundle.get_message(&key).and_then(|m| m.value()) else {
                return Err(format!("{code}.ftl: {key} has no text"));
            };
            // A message that needs arguments shows its `{$name}` here; it is asked for
            // through `Tr::args` or `Tr::count`, never `Tr::s`.
            let mut errors = Vec::new();
            let text = bundle
                .format_pattern(pattern, None, &mut errors)
                .into_owned();
            plain.insert(key, text);
        }
        Ok(Catalogue {
            code: code.to_owned(),
            bundle,
            plain,
        })
    }

    /// The text of a message that takes no arguments.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.plain.get(key).map(String::as_str)
    }

    pub fn has(&self, key: &str) -> bool {
        self.plain.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.plain.keys().map(String::as_str)
    }

    /// `key` with `args`; `None` when this catalogue lacks the key. A problem while
    /// formatting (a variable not passed) is logged and shows as `{$name}` in the text.
    fn format(&self, key: &str, args: &FluentArgs<'_>) -> Option<String> {
        let pattern = self.bundle.get_message(key)?.value()?;
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(args), &mut errors)
            .into_owned();
        if !errors.is_empty() {
            tracing::warn!(key, lang = %self.code, ?errors, "console message formatted with errors");
        }
        Some(text)
    }
}

/// Every embedded catalogue, by language code.
pub struct Catalogues {
    by_code: BTreeMap<String, Catalogue>,
}

impl Catalogues {
    /// Reads every `locales/*.ftl`; the problems of all of them at once.
    fn read_embedded() -> Result<Catalogues, String> {
        let mut by_code = BTreeMap::new();
        let mut problems = Vec::new();
        for file in LOCALES.files() {
            let path = file.path();
            if path.extension().and_then(|e| e.to_str()) != Some("ftl") {
                continue;
            }
            let code = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            let Some(text) = file.contents_utf8() else {
                problems.push(format!("{code}.ftl is not UTF-8"));
                continue;
            };
            match Catalogue::parse(&code, text) {
                Ok(cat) => {
                    by_code.insert(code, cat);
                }
                Err(e) => problems.push(e),
            }
        }
        if !by_code.contains_key(DEFAULT) {
            problems.push(format!("locales/{DEFAULT}.ftl is missing"));
        }
        if problems.is_empty() {
            Ok(Catalogues { by_code })
        } else {
            Err(problems.join("\n"))
        }
    }

    pub fn get(&self, code: &str) -> Option<&Catalogue> {
        self.by_code.get(code)
    }

    pub fn all(&self) -> impl Iterator<Item = &Catalogue> {
        self.by_code.values()
    }
}

/// The catalogues are part of the build and tested (`every_embedded_catalogue_reads_cleanly`);
/// a broken one is a bug to fix at build time, not a state to run in.
pub static CATALOGUES: LazyLock<Catalogues> =
    LazyLock::new(|| Catalogues::read_embedded().unwrap_or_else(|e| panic!("{e}")));

/// A language available in the console, as the selector shows it.
#[derive(Debug, Clone)]
pub struct LanguageOption {
    pub code: &'static str,
    pub name: &'static str,
    pub current: bool,
}

/// The translator of one request: the chosen catalogue with English behind it.
#[derive(Clone, Copy)]
pub struct Tr {
    cat: &'static Catalogue,
    fallback: &'static Catalogue,
}

impl Tr {
    pub fn for_code(code: &str) -> Tr {
        let all: &'static Catalogues = &CATALOGUES;
        let fallback = all.get(DEFAULT).expect("English is always embedded");
        Tr {
            cat: all.get(code).unwrap_or(fallback),
            fallback,
        }
    }

    pub fn code(&self) -> &'static str {
        &self.cat.code
    }

    /// The text of `key`; English when this language lacks it; the key itself when even
    /// English lacks it (visible, so a test or a reviewer notices).
    pub fn s(&self, key: &str) -> &'static str {
        self.opt(key).unwrap_or_else(|| {
            tracing::warn!(key, "console message missing from the catalogues");
            // Leaking is bounded: keys are literals in the code, so the set is finite.
            Box::leak(key.to_owned().into_boxed_str())
        })
    }

    /// The text of `key` with its arguments: text, or numbers (which select plural forms
    /// and are written as the language writes them).
    pub fn args(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent.set(*name, value.clone());
        }
        self.cat
            .format(key, &fluent)
            .or_else(|| self.fallback.format(key, &fluent))
            .unwrap_or_else(|| self.s(key).to_owned())
    }

    /// `key` with `$n` the number `n`: "1 declaration", "5 declarations";
    /// "1 декларация", "2 декларации", "5 деклараций", "21 декларация".
    pub fn count<N: Into<FluentNumber>>(&self, key: &str, n: N) -> String {
        self.args(key, &[("n", FluentValue::Number(n.into()))])
    }

    /// The text of `key` with text arguments (codes, names: no plural choice).
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let args: Vec<(&str, FluentValue<'_>)> = args
            .iter()
            .map(|(name, value)| (*name, FluentValue::from(*value)))
            .collect();
        self.args(key, &args)
    }

    /// [`Tr::f`] with one placeholder (for templates).
    pub fn f1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.f(key, &[(name, value.to_string().as_str())])
    }

    /// [`Tr::f`] with two placeholders (for templates).
    pub fn f2(
        &self,
        key: &str,
        n1: &str,
        v1: impl std::fmt::Display,
        n2: &str,
        v2: impl std::fmt::Display,
    ) -> String {
        self.f(
            key,
            &[(n1, v1.to_string().as_str()), (n2, v2.to_string().as_str())],
        )
    }

    /// Text for `key` when the catalogue has it, else `None` (for codes from the API, such
    /// as validation error codes, where the server's English message is the fallback).
    pub fn opt(&self, key: &str) -> Option<&'static str> {
        let cat: &'static Catalogue = self.cat;
        let fallback: &'static Catalogue = self.fallback;
        cat.get(key).or_else(|| fallback.get(key))
    }

    /// Status, channel and similar code lists: `status-under_control` and so on.
    pub fn code_label(&self, prefix: &str, code: &str) -> String {
        self.opt(&format!("{prefix}-{code}"))
            .map(str::to_owned)
            .unwrap_or_else(|| code.to_owned())
    }

    pub fn languages(&self) -> Vec<LanguageOption> {
        CATALOGUES
            .all()
            .map(|c| LanguageOption {
                code: &c.code,
                name: c.get("language-name").unwrap_or(&c.code),
                current: c.code == self.cat.code,
            })
            .collect()
    }
}

/// The language of a request: the `lang` cookie when it names a catalogue, else the best
/// match of `Accept-Language`, else English.
pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> &'static str {
    let all: &'static Catalogues = &CATALOGUES;
    if let Some(c) = cookie.and_then(|c| all.get(c)) {
        return &c.code;
    }
    let mut wanted: Vec<(f32, String)> = accept_language
        .unwrap_or("")
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next()?.trim().to_ascii_lowercase();
            if tag.is_empty() {
                return None;
            }
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((q, tag))
        })
        .collect();
    // Stable sort keeps the header's order among equal weights.
    wanted.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    for (q, tag) in wanted {
        if q <= 0.0 {
            continue;
        }
        let primary = tag.split('-').next().unwrap_or("");
        if let Some(c) = all.get(primary) {
            return &c.code;
        }
    }
    &all.get(DEFAULT).expect("English is always embedded").code
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use fluent_syntax::ast;

    use super::*;

    /// The variables a pattern refers to (`$n`), selectors and function arguments included.
    fn variables(of: &ast::Pattern<&str>) -> BTreeSet<String> {
        fn inline(e: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
            match e {
                ast::InlineExpression::VariableReference { id } => {
                    out.insert(id.name.to_owned());
                }
                ast::InlineExpression::Placeable { expression } => expr(expression, out),
                ast::InlineExpression::FunctionReference { arguments, .. } => call(arguments, out),
                ast::InlineExpression::TermReference {
                    arguments: Some(arguments),
                    ..
                } => call(arguments, out),
                _ => {}
            }
        }
        fn call(a: &ast::CallArguments<&str>, out: &mut BTreeSet<String>) {
            a.positional.iter().for_each(|e| inline(e, out));
            a.named.iter().for_each(|n| inline(&n.value, out));
        }
        fn expr(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
            match e {
                ast::Expression::Inline(i) => inline(i, out),
                ast::Expression::Select { selector, variants } => {
                    inline(selector, out);
                    for v in variants {
                        pattern(&v.value, out);
                    }
                }
            }
        }
        fn pattern(p: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
            for el in &p.elements {
                if let ast::PatternElement::Placeable { expression } = el {
                    expr(expression, out);
                }
            }
        }
        let mut out = BTreeSet::new();
        pattern(of, &mut out);
        out
    }

    fn pattern_of<'a>(cat: &'a Catalogue, key: &str) -> &'a ast::Pattern<&'a str> {
        cat.bundle
            .get_message(key)
            .and_then(|m| m.value())
            .expect("a message with text")
    }

    #[test]
    fn every_embedded_catalogue_reads_cleanly() {
        // `CATALOGUES` panics on a broken file; this says which file and line instead.
        if let Err(e) = Catalogues::read_embedded() {
            panic!("a catalogue does not read:\n{e}");
        }
        assert!(CATALOGUES.get("en").is_some() && CATALOGUES.get("ru").is_some());
    }

    #[test]
    fn a_syntax_error_is_refused_with_its_line() {
        // A brace in plain text is Fluent syntax, not text silently kept or dropped.
        let e = Catalogue::parse("en", "a = fine\nb = {\"x\": 1}\nc = fine too\n").unwrap_err();
        assert!(e.contains("en.ftl line 2"), "{e}");
        assert!(Catalogue::parse("en", "a = fine\nb = { $n\n").is_err());
    }

    #[test]
    fn a_duplicate_key_is_refused() {
        let e = Catalogue::parse("en", "a = 1\na = 2\n").unwrap_err();
        assert!(e.contains('a'), "{e}");
    }

    #[test]
    fn every_catalogue_has_every_english_key() {
        let en = CATALOGUES.get("en").unwrap();
        for cat in CATALOGUES.all() {
            let missing: Vec<&str> = en.keys().filter(|k| !cat.has(k)).collect();
            assert!(missing.is_empty(), "{}.ftl lacks {missing:?}", cat.code);
        }
    }

    #[test]
    fn russian_is_embedded_and_complete() {
        let en = CATALOGUES.get("en").unwrap();
        let ru = CATALOGUES.get("ru").expect("ru.ftl embedded");
        for k in en.keys() {
            assert!(ru.has(k), "ru.ftl lacks {k}");
        }
    }

    #[test]
    fn a_translation_uses_only_the_variables_english_passes() {
        // The code passes what English asks for: a `$count` where English has `$n` would
        // show as `{$count}`.
        let en = CATALOGUES.get("en").unwrap();
        let mut wrong = Vec::new();
        for cat in CATALOGUES.all() {
            for key in en.keys() {
                let theirs = variables(pattern_of(cat, key));
                let ours = variables(pattern_of(en, key));
                if !theirs.is_subset(&ours) {
                    wrong.push(format!(
                        "{}.ftl {key}: {theirs:?} (English: {ours:?})",
                        cat.code
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn every_message_formats_without_errors_in_every_language() {
        let en = CATALOGUES.get("en").unwrap();
        for cat in CATALOGUES.all() {
            for key in en.keys() {
                let mut args = FluentArgs::new();
                for v in variables(pattern_of(en, key)) {
                    args.set(v, 5);
                }
                let mut errors = Vec::new();
                let text =
                    cat.bundle
                        .format_pattern(pattern_of(cat, key), Some(&args), &mut errors);
                assert!(errors.is_empty(), "{}.ftl {key}: {errors:?}", cat.code);
                assert!(!text.trim().is_empty(), "{}.ftl {key} is empty", cat.code);
            }
        }
    }

    #[test]
    fn russian_plurals_for_1_2_5_and_21() {
        let ru = Tr::for_code("ru");
        assert_eq!(ru.count("list-count", 1), "1 декларация");
        assert_eq!(ru.count("list-count", 2), "2 декларации");
        assert_eq!(ru.count("list-count", 5), "5 деклараций");
        assert_eq!(ru.count("list-count", 21), "21 декларация");
        // And the cases a naive "ends in 1" rule gets wrong.
        assert_eq!(ru.count("list-count", 11), "11 деклараций");
        assert_eq!(ru.count("list-count", 12), "12 деклараций");
        assert_eq!(ru.count("list-count", 22), "22 декларации");
        assert_eq!(ru.count("list-count", 0), "0 деклараций");
    }

    #[test]
    fn english_plurals_for_1_and_5() {
        let en = Tr::for_code("en");
        assert_eq!(en.count("list-count", 1), "1 declaration");
        assert_eq!(en.count("list-count", 5), "5 declarations");
        assert_eq!(en.count("list-count", 0), "0 declarations");
    }

    #[test]
    fn arguments_are_filled_without_isolation_marks() {
        let en = Tr::for_code("en");
        let text = en.f2("pager-page", "n", 2, "m", 7);
        assert_eq!(text, "Page 2 of 7");
        assert!(!text.contains(['\u{2068}', '\u{2069}']));
        assert_eq!(
            en.args("login-locked", &[("seconds", 1.into())]),
            "Too many failed sign-in attempts. Try again in 1 second."
        );
        assert_eq!(
            Tr::for_code("ru").args("login-locked", &[("seconds", 3.into())]),
            "Слишком много неудачных попыток входа. Повторите через 3 секунды."
        );
    }

    #[test]
    fn a_key_missing_in_a_language_falls_back_to_english() {
        let ru = Tr {
            cat: Box::leak(Box::new(
                Catalogue::parse("ru", "language-name = Русский\n").unwrap(),
            )),
            fallback: CATALOGUES.get("en").unwrap(),
        };
        assert_eq!(ru.s("login-title"), "Sign in");
        assert_eq!(ru.count("list-count", 5), "5 declarations");
        let unknown = "no-such-key";
        assert_eq!(ru.s(unknown), unknown);
    }

    #[test]
    fn every_key_used_in_templates_and_code_is_in_english() {
        // Scans the sources for `.s("…")`, `.f("…"`, `.count("…"` and the like; a literal
        // key that English lacks would show as the bare key.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let en = CATALOGUES.get("en").unwrap();
        let mut files = Vec::new();
        for dir in ["templates", "src/console"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                files.push(e.unwrap().path());
            }
        }
        let mut missing = Vec::new();
        let mut seen = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for marker in [
                ".s(\"",
                ".f(\"",
                ".f1(\"",
                ".f2(\"",
                ".count(\"",
                ".args(\"",
            ] {
                for (i, _) in text.match_indices(marker) {
                    let rest = &text[i + marker.len()..];
                    let key = &rest[..rest.find('"').unwrap_or(0)];
                    if !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                    {
                        seen += 1;
                        if !en.has(key) {
                            missing.push(format!("{}: {key}", f.display()));
                        }
                    }
                }
            }
        }
        assert!(
            seen > 100,
            "the scan found only {seen} keys: has the syntax changed?"
        );
        assert!(missing.is_empty(), "keys missing from en.ftl: {missing:#?}");
    }

    #[test]
    fn the_cookie_wins_over_the_browser() {
        assert_eq!(negotiate(Some("ru"), Some("en-GB,en;q=0.9")), "ru");
    }

    #[test]
    fn the_browser_preference_is_the_default() {
        assert_eq!(negotiate(None, Some("ru-RU,ru;q=0.9,en;q=0.8")), "ru");
        assert_eq!(negotiate(None, Some("de-DE, ru;q=0.5, en;q=0.7")), "en");
        assert_eq!(negotiate(None, Some("de-DE")), "en");
        assert_eq!(negotiate(Some("xx"), None), "en");
    }
}
