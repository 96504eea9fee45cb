//! Short codes packed into one integer, and the text operands of criteria kept packed:
//! equality and prefix tests of a declaration's codes take one comparison each.

/// A text's first 16 bytes in one integer (little-endian, zero-padded) and its length:
/// equality and prefix tests on the short codes of a declaration take one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Packed {
    head: u128,
    len: usize,
}

impl Packed {
    pub(super) fn new(s: &str) -> Packed {
        let b = s.as_bytes();
        let n = b.len().min(16);
        let mut buf = [0u8; 16];
        buf[..n].copy_from_slice(&b[..n]);
        Packed {
            head: u128::from_le_bytes(buf),
            len: b.len(),
        }
    }
}

/// The first `len` bytes of a packed head.
#[inline]
fn head_mask(len: usize) -> u128 {
    if len >= 16 {
        u128::MAX
    } else {
        (1u128 << (8 * len)) - 1
    }
}

/// Texts packed in place: most criteria name one or two codes, and keeping them inside
/// the check spares a memory load per candidate.
const FEW: usize = 2;

/// A text operand, kept as written and packed.
#[derive(Debug)]
pub(super) struct TextSet {
    few: [Packed; FEW],
    /// Every text packed, when there are more than [`FEW`].
    many: Vec<Packed>,
    pub(super) texts: Vec<String>,
}

impl TextSet {
    pub(super) fn new(texts: &[String]) -> TextSet {
        let packed: Vec<Packed> = texts.iter().map(|t| Packed::new(t)).collect();
        let mut few = [Packed { head: 0, len: 0 }; FEW];
        let many = if packed.len() <= FEW {
            few[..packed.len()].copy_from_slice(&packed);
            Vec::new()
        } else {
            packed
        };
        TextSet {
            few,
            many,
            texts: texts.to_vec(),
        }
    }

    #[inline]
    fn packed(&self) -> &[Packed] {
        if self.texts.len() <= FEW {
            &self.few[..self.texts.len()]
        } else {
            &self.many
        }
    }

    /// Whether `s` (packed as `v`) equals one of the texts.
    #[inline]
    pub(super) fn contains(&self, v: Packed, s: &str) -> bool {
        self.packed()
            .iter()
            .zip(&self.texts)
            .any(|(p, t)| p.head == v.head && p.len == v.len && (v.len <= 16 || t == s))
    }

    /// Whether `s` (packed as `v`) starts with one of the texts.
    #[inline]
    pub(super) fn prefixes(&self, v: Packed, s: &str) -> bool {
        self.packed().iter().zip(&self.texts).any(|(p, t)| {
            if p.len > 16 {
                s.starts_with(t.as_str())
            } else {
                p.len <= v.len && v.head & head_mask(p.len) == p.head
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_sets_answer_as_plain_string_comparison_does() {
        let probes = [
            "",
            "8",
            "85",
            "8517",
            "851713",
            "8517130000",
            "85171300001234567",
            "CN",
            "C",
            "CNX",
            "41701",
            "a-long-office-code-of-20",
            "a-long-office-code-of-2",
        ];
        let sets: [&[&str]; 5] = [
            &["85"],
            &["CN", "8517"],
            &["8517130000", "CN", "41701"],
            &["a-long-office-code-of-2", "8"],
            &["85171300001234567", "x", "y", "z"],
        ];
        for set in sets {
            let texts: Vec<String> = set.iter().map(|t| t.to_string()).collect();
            let t = TextSet::new(&texts);
            for s in probes {
                let v = Packed::new(s);
                assert_eq!(t.contains(v, s), set.contains(&s), "{set:?} contains {s:?}");
                assert_eq!(
                    t.prefixes(v, s),
                    set.iter().any(|p| s.starts_with(p)),
                    "{set:?} prefixes {s:?}"
                );
            }
        }
    }
}
