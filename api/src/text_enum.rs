//! Enumerations stored as text in the database and sent as the same text in JSON.

/// Declares an enum whose variants have one stable text form, used in JSON, in the database, in
/// query filters and in the OpenAPI document.
///
/// The schema is written by hand from the same list of texts rather than derived: utoipa's derive
/// does not see a `#[serde(rename = ...)]` whose value comes from a macro fragment, and silently
/// documented the Rust variant names (`Live`) instead of the wire values (`live`).
macro_rules! text_enum {
    ($(#[doc = $doc:literal])* pub enum $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[doc = $vdoc])* #[serde(rename = $text)] $variant),+
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

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::text_enum::string_enum_schema(
                    &[$($doc),*],
                    &[$($name::$variant.as_str()),+],
                )
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

pub(crate) use text_enum;

/// A string schema listing `values`, described by the enum's doc comment lines.
pub fn string_enum_schema(
    doc_lines: &[&str],
    values: &[&str],
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let description = doc_lines.iter().map(|line| line.trim()).collect::<Vec<_>>().join("\n");
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description((!description.is_empty()).then_some(description))
        .enum_values(Some(values.iter().copied()))
        .into()
}
