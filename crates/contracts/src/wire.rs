//! Wire helpers every topic module uses: `contract_enum!` (an Avro enum of a contract,
//! mapped 1:1 onto a domain enum) and [`uuid_list`] (arrays of `string`/`uuid`).
//!
//! Contract enums are separate from the domain enums on purpose: adding a domain variant
//! breaks the exhaustive `From` conversions here at compile time, so nobody can emit a symbol
//! the schema does not know. An enum whose schema declares a `default` symbol reads an
//! unknown symbol (written by a newer producer) as that default, as Avro schema resolution
//! does for readers in other languages; the others refuse it.

/// Declares a contract enum: `Name <=> domain::Path (, default = Variant)? { Variant = "SYMBOL", .. }`.
///
/// Generates the enum, `SYMBOLS` (schema order), `DEFAULT`, `symbol()`, `from_symbol()`,
/// both `From` conversions with the domain enum, and serde as the Avro enum symbol.
macro_rules! contract_enum {
    (
        $(#[$meta:meta])*
        $name:ident <=> $domain:path $(, default = $default:ident)? {
            $( $variant:ident = $symbol:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $variant, )+
        }

        impl $name {
            /// The Avro symbols, in schema order.
            pub const SYMBOLS: &'static [&'static str] = &[ $( $symbol, )+ ];
            /// The schema's `default` symbol: what an unknown symbol reads as, if anything.
            pub const DEFAULT: Option<Self> = contract_enum!(@default $($default)?);
            const ALL: &'static [Self] = &[ $( Self::$variant, )+ ];

            pub const fn symbol(self) -> &'static str {
                match self {
                    $( Self::$variant => $symbol, )+
                }
            }

            /// The variant of `symbol`; an unknown symbol gives [`Self::DEFAULT`].
            pub fn from_symbol(symbol: &str) -> Option<Self> {
                match symbol {
                    $( $symbol => Some(Self::$variant), )+
                    _ => Self::DEFAULT,
                }
            }
        }

        impl From<$domain> for $name {
            fn from(value: $domain) -> Self {
                type Domain = $domain;
                match value {
                    $( Domain::$variant => Self::$variant, )+
                }
            }
        }

        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                type Domain = $domain;
                match value {
                    $( $name::$variant => Domain::$variant, )+
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let index = Self::ALL.iter().position(|v| v == self).unwrap_or_default();
                serializer.serialize_unit_variant(
                    stringify!($name),
                    u32::try_from(index).unwrap_or_default(),
                    self.symbol(),
                )
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Symbol;
                impl ::serde::de::Visitor<'_> for Symbol {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        write!(f, "a {} symbol", stringify!($name))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        $name::from_symbol(v).ok_or_else(|| E::unknown_variant(v, $name::SYMBOLS))
                    }
                }
                deserializer.deserialize_string(Symbol)
            }
        }
    };
    (@default) => { None };
    (@default $default:ident) => { Some(Self::$default) };
}
pub(crate) use contract_enum;

/// `Vec<Uuid>` <-> Avro `array` of `string`/`uuid` (hyphenated text, like `avro_serde::uuid`).
pub mod uuid_list {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};
    use uuid::Uuid;

    pub fn serialize<S: Serializer>(ids: &[Uuid], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(ids.iter().map(|id| id.hyphenated().to_string()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Uuid>, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .iter()
            .map(|text| Uuid::parse_str(text).map_err(D::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use oms_domain::vocab;

    contract_enum! {
        /// Test enum with a default symbol.
        Level <=> vocab::TaskReversibility, default = Manual {
            None = "NONE", Automatic = "AUTOMATIC", Manual = "MANUAL", Partial = "PARTIAL",
        }
    }

    contract_enum! {
        /// Test enum without a default symbol.
        Kind <=> vocab::PriceKind {
            Recurring = "RECURRING", OneTime = "ONE_TIME", Discount = "DISCOUNT", Fee = "FEE",
        }
    }

    #[test]
    fn unknown_symbols_read_as_the_default_or_are_refused() {
        assert_eq!(Level::from_symbol("PARTIAL"), Some(Level::Partial));
        assert_eq!(Level::from_symbol("SOMEDAY_NEW"), Some(Level::Manual));
        assert_eq!(Kind::from_symbol("USAGE"), None);
        let json: Level = serde_json::from_str("\"SOMEDAY_NEW\"").unwrap();
        assert_eq!(json, Level::Manual);
        let err = serde_json::from_str::<Kind>("\"USAGE\"").unwrap_err();
        assert!(err.to_string().contains("unknown variant `USAGE`"), "{err}");
        assert_eq!(
            serde_json::to_string(&Kind::OneTime).unwrap(),
            "\"ONE_TIME\""
        );
        assert_eq!(
            vocab::PriceKind::from(Kind::from(vocab::PriceKind::Fee)),
            vocab::PriceKind::Fee
        );
    }
}
