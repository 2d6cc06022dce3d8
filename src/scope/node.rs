//! A YAML document tree that remembers whether a string scalar was quoted.
//!
//! Why not `serde_norway::Value`: PyYAML (what upstream uses) turns a *plain* `2024-12-19` into a
//! date but a *quoted* one into a string, and rule 7 wants the quoted form warned. serde_norway
//! hands plain and quoted scalars to the same `visit_str`; but for input read from a `&str`, it
//! lends a slice of that input, and the byte before a quoted scalar's slice is its quote. When
//! the parser could not lend a slice (escapes, block scalars) we cannot tell and say so
//! (`quoted: None`). The tree also keeps duplicate keys so they can be warned, not rejected.

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// One YAML node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer (YAML ints beyond i128/u64 ranges become floats or strings in the parser).
    Int(i128),
    /// An integer above `i128::MAX`.
    BigUint(u128),
    /// A float.
    Float(f64),
    /// A string; `quoted` is `Some(true)` when written quoted or as a block, `Some(false)` when
    /// plain, `None` when the parser does not let us tell.
    Str { value: String, quoted: Option<bool> },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, entries in document order (duplicates kept).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// Type name for messages: "a string", "a list", ...
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Int(_) | Node::BigUint(_) => "an integer",
            Node::Float(_) => "a float",
            Node::Str { .. } => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a map",
        }
    }

    /// The string value, if this is a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Text of a scalar as written (for messages and lenient conversions); `None` for
    /// collections.
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match self {
            Node::Null => Some("null".to_string()),
            Node::Bool(b) => Some(b.to_string()),
            Node::Int(i) => Some(i.to_string()),
            Node::BigUint(u) => Some(u.to_string()),
            Node::Float(f) => Some(f.to_string()),
            Node::Str { value, .. } => Some(value.clone()),
            Node::Seq(_) | Node::Map(_) => None,
        }
    }

    /// Short description for messages: type plus value for scalars, e.g. `an integer (42)`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Node::Null | Node::Seq(_) | Node::Map(_) => self.type_name().to_string(),
            Node::Str { value, .. } => format!("a string ({value:?})"),
            other => format!(
                "{} ({})",
                other.type_name(),
                other.scalar_text().unwrap_or_default()
            ),
        }
    }
}

/// Parses one YAML document. Errors carry the parser's message (with line and column).
pub(crate) fn parse(text: &str) -> Result<Node, String> {
    let deserializer = serde_norway::Deserializer::from_str(text);
    NodeSeed { src: text }
        .deserialize(deserializer)
        .map_err(|e| e.to_string())
}

#[derive(Clone, Copy)]
struct NodeSeed<'s> {
    src: &'s str,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Node;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl NodeSeed<'_> {
    /// Whether the borrowed slice `v` of the input sits right after a quote character.
    fn quoted_in_source(&self, v: &str) -> Option<bool> {
        let base = self.src.as_ptr() as usize;
        let start = v.as_ptr() as usize;
        if start < base || start + v.len() > base + self.src.len() {
            return None; // not a slice of our input
        }
        let offset = start - base;
        if offset == 0 {
            return Some(false);
        }
        let before = self.src.as_bytes().get(offset - 1)?;
        Some(matches!(before, b'\'' | b'"'))
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        Ok(i128::try_from(v).map_or(Node::BigUint(v), Node::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Node, E> {
        Ok(Node::Str {
            value: v.to_string(),
            quoted: self.quoted_in_source(v),
        })
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str {
            value: v.to_string(),
            quoted: None,
        })
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        self.deserialize(deserializer)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(self)? {
            let value = map.next_value_seed(self)?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Node, A::Error> {
        // serde_norway reports custom tags (`!foo value`) as enums; PyYAML's safe loader
        // rejects them too.
        let (tag, _variant): (String, _) = data.variant()?;
        Err(de::Error::custom(format!("unsupported YAML tag !{tag}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(text: &str) -> Node {
        match parse(text) {
            Ok(Node::Map(mut entries)) if !entries.is_empty() => entries.remove(0).1,
            other => panic!("expected a one-entry map, got {other:?}"),
        }
    }

    #[test]
    fn tells_plain_from_quoted_strings() {
        let cases = [
            ("d: 2024-12-19", Some(false)),
            ("d: '2024-12-19'", Some(true)),
            ("d: \"2024-12-19\"", Some(true)),
            ("d:\n  2024-12-19\n", Some(false)),
            ("- d: 2024-12-19", Some(false)),
            ("d: [\"2024-12-19\"]", Some(true)),
        ];
        for (text, expected) in cases {
            let node = match parse(text).expect(text) {
                Node::Seq(mut items) => items.remove(0),
                other => other,
            };
            let value = match node {
                Node::Map(mut e) => e.remove(0).1,
                other => panic!("{other:?}"),
            };
            let value = match value {
                Node::Seq(mut items) => items.remove(0),
                other => other,
            };
            match value {
                Node::Str { quoted, .. } => assert_eq!(quoted, expected, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn scalars_get_their_yaml_types() {
        assert_eq!(value_of("a: 1"), Node::Int(1));
        assert_eq!(value_of("a: true"), Node::Bool(true));
        assert_eq!(value_of("a:"), Node::Null);
        assert_eq!(value_of("a: 1.5"), Node::Float(1.5));
        assert!(matches!(
            value_of("a: 99999999999999999999999999999999999999999999"),
            Node::Float(_) | Node::Str { .. } | Node::BigUint(_)
        ));
    }

    #[test]
    fn rejects_tags_and_multiple_documents() {
        assert!(parse("a: !foo bar").is_err());
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
    }
}
