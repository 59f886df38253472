//! The key names a serde struct accepts, read from its `Deserialize` impl.
//!
//! The loader checks every key of a step against these lists, so all unknown
//! keys are reported at once (with "did you mean"), and the lists can never
//! drift from the structs because they come from the same derive.

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// The field names of a struct deriving `Deserialize` (without `flatten`).
pub fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut fields));
    fields
}

struct FieldNames<'a>(&'a mut &'static [&'static str]);

#[derive(Debug)]
struct Done;

impl std::fmt::Display for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field names read")
    }
}
impl std::error::Error for Done {}
impl de::Error for Done {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Done
    }
}

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = Done;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Done> {
        *self.0 = fields;
        Err(Done)
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Done> {
        Err(Done)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Sample {
        alpha: u8,
        #[serde(rename = "beta_key")]
        beta: String,
    }

    #[test]
    fn reads_field_names() {
        assert_eq!(super::field_names::<Sample>(), &["alpha", "beta_key"]);
    }
}
