//! Enums stored as text: `text_enum!` gives an enum its codes (`as_str`, `parse`, `ALL`) and
//! diesel's `FromSql`/`ToSql` for both backends, so rows hold the enum itself. An unknown stored
//! code is a deserialization error (logged, then a 500), never a silent default.

/// Declares an enum stored and sent as text codes, in code-list order:
///
/// ```ignore
/// text_enum! {
///     /// How the training was delivered.
///     pub enum Modality {
///         InPerson => "in_person",
///         Virtual => "virtual",
///     }
/// }
/// ```
///
/// It derives serde (the codes), utoipa's schema, ordering and hashing, and gives `as_str`,
/// `parse`, `ALL`, `Display` and diesel's `FromSql`/`ToSql` for `Text` on both backends.
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $ty:ident {
            $($(#[$vmeta:meta])* $variant:ident => $text:tt),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema,
            ::diesel::expression::AsExpression, ::diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = ::diesel::sql_types::Text)]
        pub enum $ty {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        $crate::text_enum!(@impl $ty { $($variant => $text),+ });
    };
    (@impl $ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stored and wire code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $text),+
                }
            }

            /// The value of a code, if it is one.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some($ty::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $crate::text_sql!([] $ty, |v: &$ty| v.as_str(), |text: String| {
            $ty::parse(&text).ok_or_else(|| format!("unknown {} {text:?} in the database", stringify!($ty)))
        });
    };
}

/// A JSON document stored as text, decoded when the row is read: a stored document that does not
/// decode is an error, never an empty default. The text is kept beside the value, so it is
/// serialized once, when the value is made.
#[derive(
    Debug, Clone, PartialEq, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct JsonText<T> {
    value: T,
    text: String,
}

impl<T: serde::Serialize> JsonText<T> {
    pub fn new(value: T) -> Self {
        let text = serde_json::to_string(&value).unwrap_or_else(|_| "null".into());
        Self { value, text }
    }
}

/// Writes stored JSON text as the JSON it holds (`None` as null), without decoding it into a tree.
pub fn serialize_json_text<S: serde::Serializer>(
    text: &Option<String>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    match text {
        None => s.serialize_none(),
        Some(t) => serde_json::from_str::<&serde_json::value::RawValue>(t)
            .map_err(serde::ser::Error::custom)?
            .serialize(s),
    }
}

/// Served as the value it holds.
impl<T: serde::Serialize> serde::Serialize for JsonText<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<T> JsonText<T> {
    pub fn get(&self) -> &T {
        &self.value
    }

    /// The stored text.
    pub fn as_text(&self) -> &str {
        &self.text
    }
}

crate::text_sql!(
    [T: serde::de::DeserializeOwned + std::fmt::Debug] JsonText<T>,
    JsonText::<T>::as_text,
    |text: String| match serde_json::from_str(&text) {
        Ok(value) => Ok(JsonText { value, text }),
        Err(e) => Err(format!("stored JSON {text:?} does not decode: {e}")),
    }
);

/// A JSON document stored as text and served as stored, byte for byte (a webhook body, whose
/// signature covers its bytes): checked to be JSON when the row is read, never decoded into a tree.
#[derive(Debug, Clone, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct RawJson(Box<serde_json::value::RawValue>);

impl RawJson {
    pub fn of<T: serde::Serialize>(value: &T) -> serde_json::Result<Self> {
        serde_json::value::to_raw_value(value).map(Self)
    }

    /// The stored text.
    pub fn get(&self) -> &str {
        self.0.get()
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl serde::Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

crate::text_sql!([] RawJson, RawJson::get, |text: String| {
    serde_json::value::RawValue::from_string(text)
        .map(RawJson)
        .map_err(|e| format!("stored JSON does not decode: {e}"))
});

/// `FromSql` and `ToSql` for `Text` on each backend and on the connection enum's, from a view
/// as `&str` and a parse of the stored text (whose error is logged and fails the read).
#[macro_export]
macro_rules! text_sql {
    ([$($bound:tt)*] $ty:ty, $as_str:expr, $parse:expr) => {
        $crate::text_sql!(@one [$($bound)*] $ty, ::diesel::sqlite::Sqlite, $as_str, $parse);
        $crate::text_sql!(@one [$($bound)*] $ty, ::diesel::pg::Pg, $as_str, $parse);
        $crate::text_sql!(@one [$($bound)*] $ty, $crate::db::connection::MultiBackend, $as_str, $parse);
    };
    // Only `FromSql`, for a type whose stored text is made when it is written.
    (from $ty:ty, $parse:expr) => {
        $crate::text_sql!(@from [] $ty, ::diesel::sqlite::Sqlite, $parse);
        $crate::text_sql!(@from [] $ty, ::diesel::pg::Pg, $parse);
        $crate::text_sql!(@from [] $ty, $crate::db::connection::MultiBackend, $parse);
    };
    (@one [$($bound:tt)*] $ty:ty, $backend:ty, $as_str:expr, $parse:expr) => {
        $crate::text_sql!(@from [$($bound)*] $ty, $backend, $parse);

        impl<$($bound)*> ::diesel::serialize::ToSql<::diesel::sql_types::Text, $backend> for $ty {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, $backend>,
            ) -> ::diesel::serialize::Result {
                let as_str = $as_str;
                <str as ::diesel::serialize::ToSql<::diesel::sql_types::Text, $backend>>::to_sql(as_str(self), out)
            }
        }
    };
    (@from [$($bound:tt)*] $ty:ty, $backend:ty, $parse:expr) => {
        impl<$($bound)*> ::diesel::deserialize::FromSql<::diesel::sql_types::Text, $backend> for $ty {
            fn from_sql(
                bytes: <$backend as ::diesel::backend::Backend>::RawValue<'_>,
            ) -> ::diesel::deserialize::Result<Self> {
                let text = <String as ::diesel::deserialize::FromSql<::diesel::sql_types::Text, $backend>>::from_sql(bytes)?;
                let parse = $parse;
                parse(text).map_err(|message: String| {
                    ::log::error!("{message}");
                    message.into()
                })
            }
        }
    };
}
