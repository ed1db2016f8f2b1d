//! Enumerations stored as text in the database and sent as the same text in JSON.

/// Declares an enum whose variants have one stable text form, used in JSON, in the database and
/// in query filters.
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// Reads a value the database holds; one it should never hold is our bug, not the client's.
            pub fn from_db(text: &str) -> $crate::error::ApiResult<$name> {
                $name::parse(text).ok_or_else(|| $crate::error::ApiError::Internal(anyhow::anyhow!(
                    concat!("stored ", stringify!($name), " '{}' is not known"), text)))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use text_enum;
