//! The console's words: message catalogues, one file per language in `locales/`, embedded
//! in the binary at build time, and the choice of language for a request.
//!
//! A catalogue is a subset of Fluent's syntax (`locales/en.ftl`): `key = text` lines, `#`
//! comments, indented continuation lines, and `{ $name }` placeholders. Adding Kyrgyz is one
//! new file `locales/ky.ftl` (its `language-name` is what the selector shows); the folder is
//! embedded whole, so no code changes. English is the reference: every other catalogue must
//! have each of its keys (a test holds this), and a missing key falls back to English.
//!
//! Never: build visible text anywhere else. Templates and handlers ask [`Tr`] for every word.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use include_dir::{Dir, include_dir};

static LOCALES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/locales");

/// The reference language: complete by definition, the fallback for every other.
pub const DEFAULT: &str = "en";

/// One language's messages.
#[derive(Debug)]
pub struct Catalogue {
    pub code: String,
    messages: HashMap<String, String>,
}

impl Catalogue {
    /// Parses the Fluent subset; answers the problems by line instead of guessing.
    pub fn parse(code: &str, text: &str) -> Result<Catalogue, String> {
        let mut messages: HashMap<String, String> = HashMap::new();
        let mut last: Option<String> = None;
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                last = None;
                continue;
            }
            if line.starts_with(' ') || line.starts_with('\t') {
                // A continuation of the previous message (Fluent multiline text).
                let key = last.as_ref().ok_or_else(|| {
                    format!("{code}.ftl line {}: indented text with no key", n + 1)
                })?;
                let m = messages.get_mut(key).expect("last key was inserted");
                if !m.is_empty() {
                    m.push(' ');
                }
                m.push_str(trimmed);
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| format!("{code}.ftl line {}: expected `key = text`", n + 1))?;
            let key = key.trim();
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(format!("{code}.ftl line {}: bad key {key:?}", n + 1));
            }
            if messages
                .insert(key.to_owned(), value.trim().to_owned())
                .is_some()
            {
                return Err(format!("{code}.ftl line {}: duplicate key {key}", n + 1));
            }
            last = Some(key.to_owned());
        }
        Ok(Catalogue {
            code: code.to_owned(),
            messages,
        })
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.messages.get(key).map(String::as_str)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }
}

/// Every embedded catalogue, by language code.
pub struct Catalogues {
    by_code: BTreeMap<String, Catalogue>,
}

impl Catalogues {
    fn embedded() -> Catalogues {
        let mut by_code = BTreeMap::new();
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
            let text = file.contents_utf8().unwrap_or_default();
            // The catalogues are part of the build and tested; a broken one is a bug to fix
            // at build time, not a state to run in.
            let cat = Catalogue::parse(&code, text).unwrap_or_else(|e| panic!("{e}"));
            by_code.insert(code, cat);
        }
        assert!(
            by_code.contains_key(DEFAULT),
            "locales/{DEFAULT}.ftl is missing"
        );
        Catalogues { by_code }
    }

    pub fn get(&self, code: &str) -> Option<&Catalogue> {
        self.by_code.get(code)
    }

    pub fn all(&self) -> impl Iterator<Item = &Catalogue> {
        self.by_code.values()
    }
}

pub static CATALOGUES: LazyLock<Catalogues> = LazyLock::new(Catalogues::embedded);

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
        let cat = self.cat;
        let fallback = self.fallback;
        cat.get(key)
            .or_else(|| fallback.get(key))
            .unwrap_or_else(|| {
                tracing::warn!(key, "console message missing from the catalogues");
                // Leaking is bounded: keys are literals in the code, so the set is finite.
                Box::leak(key.to_owned().into_boxed_str())
            })
    }

    /// The text of `key` with `{ $name }` placeholders filled.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut out = self.s(key).to_owned();
        for (name, value) in args {
            out = out
                .replace(&format!("{{ ${name} }}"), value)
                .replace(&format!("{{${name}}}"), value);
        }
        out
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
        self.cat.get(key).or_else(|| self.fallback.get(key))
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
    use super::*;

    #[test]
    fn every_catalogue_has_every_english_key() {
        let en = CATALOGUES.get("en").unwrap();
        for cat in CATALOGUES.all() {
            let missing: Vec<&str> = en.keys().filter(|k| cat.get(k).is_none()).collect();
            assert!(missing.is_empty(), "{}.ftl lacks {missing:?}", cat.code);
        }
    }

    #[test]
    fn russian_is_embedded_and_complete() {
        let en = CATALOGUES.get("en").unwrap();
        let ru = CATALOGUES.get("ru").expect("ru.ftl embedded");
        for k in en.keys() {
            assert!(ru.get(k).is_some(), "ru.ftl lacks {k}");
        }
    }

    #[test]
    fn every_key_used_in_templates_and_code_is_in_english() {
        // Scans the sources for `.s("…")`, `.f("…"` and `tr "…"` uses; a literal key that
        // English lacks would show as the bare key.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let en = CATALOGUES.get("en").unwrap();
        let mut files = Vec::new();
        for dir in ["templates", "src/console"] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                files.push(e.unwrap().path());
            }
        }
        let mut missing = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for marker in [".s(\"", ".f(\"", ".f1(\"", ".f2(\""] {
                for (i, _) in text.match_indices(marker) {
                    let rest = &text[i + marker.len()..];
                    let key = &rest[..rest.find('"').unwrap_or(0)];
                    if !key.is_empty()
                        && key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                        && en.get(key).is_none()
                    {
                        missing.push(format!("{}: {key}", f.display()));
                    }
                }
            }
        }
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

    #[test]
    fn placeholders_are_filled() {
        let c = Catalogue::parse("t", "a = Page { $n } of { $m }\n  continued\n").unwrap();
        assert_eq!(c.get("a"), Some("Page { $n } of { $m } continued"));
    }

    #[test]
    fn a_duplicate_key_is_refused() {
        assert!(Catalogue::parse("t", "a = 1\na = 2\n").is_err());
    }
}
