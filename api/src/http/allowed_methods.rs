//! Which methods each documented path answers, so that a known path asked with another method
//! gets 405 with `Allow` (RFC 9110 §15.5.6) instead of 404. Read from the OpenAPI document,
//! which is built from the same registrations as the routes themselves.

use utoipa::openapi::OpenApi;

pub struct AllowedMethods {
    /// Each path template as segments (`None` for a `{parameter}`), with its methods.
    paths: Vec<(Vec<Option<String>>, Vec<&'static str>)>,
}

impl AllowedMethods {
    pub fn of(document: &OpenApi) -> AllowedMethods {
        let paths = document
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template
                    .split('/')
                    .map(|segment| (!segment.starts_with('{')).then(|| segment.to_owned()))
                    .collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(name, _)| name)
                .collect();
                (segments, methods)
            })
            .collect();
        AllowedMethods { paths }
    }

    /// The methods `path` answers, or `None` when no documented path matches it. Of several
    /// matching templates, the one with the most literal segments wins, as in routing.
    pub fn for_path(&self, path: &str) -> Option<&[&'static str]> {
        let segments: Vec<&str> = path.split('/').collect();
        self.paths
            .iter()
            .filter(|(template, _)| {
                template.len() == segments.len()
                    && template.iter().zip(&segments).all(|(expected, actual)| match expected {
                        Some(literal) => literal == actual,
                        None => !actual.is_empty(),
                    })
            })
            .max_by_key(|(template, _)| template.iter().filter(|s| s.is_some()).count())
            .map(|(_, methods)| methods.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::AllowedMethods;

    #[test]
    fn a_known_path_lists_its_methods_and_an_unknown_one_none() {
        let allowed = AllowedMethods::of(&crate::openapi::document());
        assert_eq!(allowed.for_path("/api/v1/frameworks"), Some(&["GET", "POST"][..]));
        assert_eq!(allowed.for_path("/api/v1/frameworks/abc"), Some(&["GET", "PATCH"][..]));
        assert_eq!(allowed.for_path("/api/v1/frameworks/abc/lots/x/y/z"), None);
        assert_eq!(allowed.for_path("/nowhere"), None);
    }
}
